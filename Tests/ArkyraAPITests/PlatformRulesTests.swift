import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite("API: a post that breaks its platform's rules is refused when it is scheduled, naming the platform and the rule")
struct PlatformRulesTests {
    @Test("Instagram: a post without an image or video, or with 31 hashtags, is refused field by field; a thread's later items need no file")
    func instagram() async throws {
        try await APITestHarness.run { api in
            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let started = try await api.request(.post, "/api/v1/organizations/\(organization)/integrations/oauth/instagram", token: token)
            let back = try await SandboxConsent.answer(try #require(started.json["authorization_url"] as? String), allow: true, on: api.sandbox)
            let connected = try await api.request(.get, back.path + "?" + (back.percentEncodedQuery ?? ""))
            #expect(connected.status == .created, "\(connected.json)")
            let channel = try #require(connected.json["id"] as? String)
            let at = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            let textOnly = try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: token, json: [
                "publish_at": at, "variants": [["integration_id": channel, "content": "Just words", "thread": [["content": "and more words"]]]],
            ])
            #expect(textOnly.status == .unprocessableContent)
            #expect(textOnly.errorFields["variants[0].media"] == "Instagram posts need at least one image or video")
            #expect(textOnly.errorFields["variants[0].thread[0].media"] == nil)
            let tags = (1...31).map { "#tag\($0)" }.joined(separator: " ")
            let tagged = try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: token, json: [
                "publish_at": at, "variants": [["integration_id": channel, "content": tags]],
            ])
            #expect(tagged.errorFields["variants[0].content"] == "has 31 hashtags; Instagram takes at most 30 in a caption")
        }
    }

    @Test("a disabled channel takes no new posts until it is enabled again; the change is in the audit log")
    func disabledChannel() async throws {
        try await APITestHarness.run { api in
            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let channel = try await api.connectMastodon(token, organization: organization)
            let path = "/api/v1/organizations/\(organization)/integrations/\(channel)"
            let schedule = { try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: token, json: [
                "publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": "Hello"]],
            ]) }
            let disabled = try await api.request(.patch, path, token: token, json: ["disabled": true])
            #expect(disabled.status == .ok)
            #expect(disabled.json["state"] as? String == "disabled")
            #expect(try await schedule().errorFields["variants[0].integration_id"] == "is disabled; enable the channel first")
            let enabled = try await api.request(.patch, path, token: token, json: ["disabled": false])
            #expect(enabled.json["state"] as? String == "connected")
            #expect(try await schedule().status == .created)
            let audit = try await api.request(.get, "/api/v1/organizations/\(organization)/audit", token: token)
            let actions = (audit.json["entries"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            #expect(actions.contains("integration.disabled") && actions.contains("integration.enabled"), "\(actions)")
        }
    }

    @Test("Pinterest: a Pin needs an image and takes no thread; both are refused when scheduled")
    func pinterest() async throws {
        try await APITestHarness.run { api in
            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let started = try await api.request(.post, "/api/v1/organizations/\(organization)/integrations/oauth/pinterest", token: token)
            let back = try await SandboxConsent.answer(try #require(started.json["authorization_url"] as? String), allow: true, on: api.sandbox)
            let pending = try await api.request(.get, back.path + "?" + (back.percentEncodedQuery ?? ""))
            #expect(pending.json["status"] as? String == "choose", "\(pending.json)")
            let board = try #require((pending.json["choices"] as? [[String: Any]])?.first?["id"] as? String)
            let chosen = try await api.request(.post, "/api/v1/organizations/\(organization)/integrations/pending/\(try #require(pending.json["id"] as? String))",
                                               token: token, json: ["choice": board])
            let channel = try #require(chosen.json["id"] as? String)
            let refused = try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: token, json: [
                "publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": "A pin", "thread": [["content": "a comment"]]]],
            ])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.errorFields["variants[0].thread"] == "Pinterest posts take no replies or comments; send one item")
            #expect(refused.errorFields["variants[0].media"] == "Pinterest posts need at least one image")
        }
    }
}
