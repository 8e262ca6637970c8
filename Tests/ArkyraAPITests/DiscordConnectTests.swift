import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite("API: connecting Discord channels (the bot added to a server on the consent page, then a channel chosen)")
struct DiscordConnectTests {
    @Test("consent lists the server's text and announcement channels; each chosen one becomes a channel; bad choices and strangers are refused")
    func choosesChannels() async throws {
        try await APITestHarness.run { api in
            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let started = try await api.request(.post, "/api/v1/organizations/\(organization)/integrations/oauth/discord", token: token)
            #expect(started.status == .created)
            let link = try #require(started.json["authorization_url"] as? String)
            let asked = try #require(URLComponents(string: link))
            #expect(asked.query("scope") == "bot")
            #expect(asked.query("permissions") == "109568")
            #expect(asked.query("code_challenge") == nil)

            let back = try await SandboxConsent.answer(link, allow: true, on: api.sandbox)
            #expect(back.query("guild_id") != nil)
            let pending = try await api.request(.get, back.path + "?" + (back.percentEncodedQuery ?? ""))
            #expect(pending.status == .ok, "\(pending.json)")
            #expect(pending.json["status"] as? String == "choose")
            let id = try #require(pending.json["id"] as? String)
            let choices = try #require(pending.json["choices"] as? [[String: Any]])
            #expect(choices.map { $0["name"] as? String } == ["#general", "#announcements"])
            #expect(choices.map { $0["kind"] as? String } == ["text channel", "announcement channel"])
            let path = "/api/v1/organizations/\(organization)/integrations/pending/\(id)"
            #expect(try await api.request(.get, path, token: token).json["choices"] as? [[String: Any]] != nil)

            let bad = try await api.request(.post, path, token: token, json: ["choice": "123"])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.errorFields["choice"]?.contains("not a text or announcement channel") == true)
            let stranger = try await api.signUp()
            let theirs = try await api.createOrganization(stranger)
            let other = "/api/v1/organizations/\(theirs)/integrations/pending/\(id)"
            #expect(try await api.request(.post, other, token: stranger, json: ["choice": choices[0]["id"] as? String ?? ""]).errorCode == "unknown_pending_choice")

            let general = try await api.request(.post, path, token: token, json: ["choice": choices[0]["id"] as? String ?? ""])
            #expect(general.status == .created, "\(general.json)")
            #expect(general.json["provider"] as? String == "discord")
            #expect(general.json["name"] as? String == "#general (sandbox_writer's server)")
            #expect(try await api.request(.post, path, token: token, json: ["choice": choices[1]["id"] as? String ?? ""]).status == .created,
                    "another channel of the same server")
            let channels = try await api.request(.get, "/api/v1/organizations/\(organization)/integrations", token: token)
            #expect((channels.json["integrations"] as? [[String: Any]])?.count == 2)
            #expect(try await api.request(.get, "/api/v1/organizations/\(organization)/integrations/pending/made-up", token: token).errorCode == "unknown_pending_choice")
        }
    }
}
