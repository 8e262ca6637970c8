import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite("API: connecting Facebook Pages (Meta's consent page, then a Page chosen)")
struct FacebookConnectTests {
    @Test("consent lists the Pages the person may post to; a chosen one becomes a channel with the Page's token; others are refused")
    func choosesPages() async throws {
        try await APITestHarness.run { api in
            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let person = try await api.sandbox.execute(uri: "/_sandbox/facebook/accounts", method: .post, body: jsonBody(["username": "sandbox_writer"])) {
                try #require($0.json["id"] as? String)
            }
            for (name, canPost) in [("Launch Notes", true), ("Read Only Fans", false)] {
                try await api.sandbox.execute(uri: "/_sandbox/facebook/pages", method: .post,
                                              body: jsonBody(["manager_id": person, "name": name, "can_post": canPost])) { #expect($0.status == .created) }
            }
            let started = try await api.request(.post, "/api/v1/organizations/\(organization)/integrations/oauth/facebook", token: token)
            #expect(started.status == .created)
            let link = try #require(started.json["authorization_url"] as? String)
            let asked = try #require(URLComponents(string: link))
            #expect(asked.query("scope") == "pages_show_list,pages_manage_posts,pages_read_engagement")
            #expect(asked.query("code_challenge") == nil)

            let denied = try await SandboxConsent.answer(link, allow: false, on: api.sandbox)
            #expect(try await api.request(.get, denied.path + "?" + (denied.percentEncodedQuery ?? "")).errorCode == "consent_denied")

            let again = try await api.request(.post, "/api/v1/organizations/\(organization)/integrations/oauth/facebook", token: token)
            let back = try await SandboxConsent.answer(try #require(again.json["authorization_url"] as? String), allow: true, on: api.sandbox)
            let pending = try await api.request(.get, back.path + "?" + (back.percentEncodedQuery ?? ""))
            #expect(pending.status == .ok, "\(pending.json)")
            let id = try #require(pending.json["id"] as? String)
            let choices = try #require(pending.json["choices"] as? [[String: Any]])
            #expect(choices.map { $0["name"] as? String } == ["Launch Notes"], "a Page without CREATE_CONTENT is not offered")
            #expect(choices.first?["kind"] as? String == "page (Software company)")
            let path = "/api/v1/organizations/\(organization)/integrations/pending/\(id)"
            let bad = try await api.request(.post, path, token: token, json: ["choice": "123"])
            #expect(bad.status == .unprocessableContent)

            let chosen = try await api.request(.post, path, token: token, json: ["choice": choices[0]["id"] as? String ?? ""])
            #expect(chosen.status == .created, "\(chosen.json)")
            #expect(chosen.json["provider"] as? String == "facebook")
            #expect(chosen.json["name"] as? String == "Launch Notes")
            let avatarURL = try #require(chosen.json["avatar_url"] as? String)
            let avatar = try #require(URLComponents(string: avatarURL))
            try await api.sandbox.execute(uri: avatar.path, method: .get) { picture in
                #expect(picture.status == .ok)
                #expect(picture.headers[.contentType] == "image/png")
            }
            #expect(try await api.request(.get, back.path + "?" + (back.percentEncodedQuery ?? "")).errorCode == "invalid_oauth_state")
        }
    }
}
