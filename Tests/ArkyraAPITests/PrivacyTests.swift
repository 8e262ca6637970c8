import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("API: export and erasure (GDPR)")
struct PrivacyTests {
    @Test("a person exports their data without secrets, then erases their account; what they wrote stays, unnamed")
    func account() async throws {
        try await APITestHarness.run { api in
            let owner = try await api.signUp("owner@example.com")
            let organization = try await api.createOrganization(owner)
            let channel = try await api.connectMastodon(owner, organization: organization)
            let editor = try await api.member("editor", of: organization, invitedBy: owner)
            #expect(try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: editor.token, json: [
                "publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": "written by the editor"]],
            ]).status == .created)

            let export = try await api.request(.get, "/api/v1/me/export", token: editor.token)
            #expect(export.status == .ok)
            #expect(export.headers[.contentDisposition]?.contains("attachment") == true)
            let text = String(buffer: export.body)
            #expect(!text.contains("password_hash") && !text.contains("$2"))
            #expect((export.json["memberships"] as? [[String: Any]])?.first?["role"] as? String == "editor")
            #expect((export.json["posts_written"] as? [[String: Any]])?.first?["content"] as? String == "written by the editor")
            #expect((export.json["sessions"] as? [Any])?.isEmpty == false)

            #expect(try await api.request(.delete, "/api/v1/me", token: editor.token, json: ["password": "wrong one!"]).errorCode == "wrong_password")
            #expect(try await api.request(.delete, "/api/v1/me", token: editor.token, json: ["password": "correct horse"]).status == .noContent)
            #expect(try await api.request(.get, "/api/v1/organizations", token: editor.token).status == .unauthorized)
            let members = try await api.request(.get, "/api/v1/organizations/\(organization)/members", token: owner)
            #expect((members.json["members"] as? [Any])?.count == 1)
            let posts = try await api.posts(owner, organization: organization)
            #expect(posts.map { $0["content"] as? String } == ["written by the editor"])

            // The owner of an organization with other members must hand it over first.
            _ = try await api.member("viewer", of: organization, invitedBy: owner)
            #expect(try await api.request(.delete, "/api/v1/me", token: owner, json: ["password": "correct horse"]).errorCode == "owns_shared_organization")
        }
    }

    @Test("an owner exports the organization without tokens or key hashes, then erases it with its scheduled jobs")
    func organization() async throws {
        try await APITestHarness.run { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner, name: "Gone Soon")
            let channel = try await api.connectMastodon(owner, organization: organization)
            let admin = try await api.member("admin", of: organization, invitedBy: owner)
            _ = try await api.request(.post, "/api/v1/organizations/\(organization)/api-keys", token: owner, json: ["name": "k"])
            let scheduled = try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: owner, json: [
                "publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": "never sent"]],
            ])
            let post = try #require((scheduled.json["posts"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await api.redis.zscore(api.redis.key("{publish}:delayed"), member: post) != nil)

            #expect(try await api.request(.get, "/api/v1/organizations/\(organization)/export", token: admin.token).status == .forbidden)
            let export = try await api.request(.get, "/api/v1/organizations/\(organization)/export", token: owner)
            let text = String(buffer: export.body)
            #expect(!text.contains("access_token_encrypted") && !text.contains("key_hash"))
            #expect((export.json["posts"] as? [Any])?.count == 1)
            #expect((export.json["members"] as? [Any])?.count == 2)
            #expect((export.json["integrations"] as? [[String: Any]])?.first?["provider"] as? String == "mastodon")

            let path = "/api/v1/organizations/\(organization)"
            #expect(try await api.request(.delete, path, token: owner, json: ["name": "Wrong"]).status == .unprocessableContent)
            #expect(try await api.request(.delete, path, token: admin.token, json: ["name": "Gone Soon"]).status == .forbidden)
            #expect(try await api.request(.delete, path, token: owner, json: ["name": "Gone Soon"]).status == .noContent)
            #expect(try await api.request(.get, "\(path)/members", token: owner).status == .notFound)
            #expect(try await api.redis.zscore(api.redis.key("{publish}:delayed"), member: post) == nil)
        }
    }
}
