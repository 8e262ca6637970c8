import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite("API: connecting Slack channels (the app installed in a workspace, then a channel chosen)")
struct SlackConnectTests {
    @Test("consent installs the bot; public channels and the private ones it is in are offered; the chosen one becomes a channel")
    func choosesChannel() async throws {
        try await APITestHarness.run { api in
            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let started = try await api.request(.post, "/api/v1/organizations/\(organization)/integrations/oauth/slack", token: token)
            let link = try #require(started.json["authorization_url"] as? String)
            #expect(URLComponents(string: link)?.query("scope") == "chat:write,chat:write.public,channels:read,groups:read")
            let back = try await SandboxConsent.answer(link, allow: true, on: api.sandbox)
            let pending = try await api.request(.get, back.path + "?" + (back.percentEncodedQuery ?? ""))
            #expect(pending.status == .ok, "\(pending.json)")
            let id = try #require(pending.json["id"] as? String)
            let choices = try #require(pending.json["choices"] as? [[String: Any]])
            #expect(choices.map { $0["name"] as? String } == ["#general", "#random", "🔒launch-team"])
            let chosen = try await api.request(.post, "/api/v1/organizations/\(organization)/integrations/pending/\(id)", token: token,
                                               json: ["choice": choices[2]["id"] as? String ?? ""])
            #expect(chosen.status == .created, "\(chosen.json)")
            #expect(chosen.json["name"] as? String == "🔒launch-team (sandbox_writer's workspace)")
            #expect(chosen.json["provider"] as? String == "slack")
        }
    }
}
