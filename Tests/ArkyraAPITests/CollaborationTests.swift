import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("API: comments, preview links, sets, signatures, duplicates")
struct CollaborationTests {
    private func scheduled(_ api: APITestHarness, _ token: String, _ organization: String, _ channel: String, _ content: String = "Launch day",
                           extra: [String: Any] = [:]) async throws -> TestResponse {
        var body: [String: Any] = ["publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": content]]]
        body.merge(extra) { _, new in new }
        return try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: token, json: body)
    }

    @Test("the team comments on a post; a preview link shows it without login and takes a client's comment until revoked")
    func commentsAndPreviews() async throws {
        try await APITestHarness.run { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let channel = try await api.connectMastodon(owner, organization: organization)
            let viewer = try await api.member("viewer", of: organization, invitedBy: owner)
            let created = try await scheduled(api, owner, organization, channel)
            let post = try #require((created.json["posts"] as? [[String: Any]])?.first?["id"] as? String)
            let base = "/api/v1/organizations/\(organization)/posts/\(post)"

            let comment = try await api.request(.post, "\(base)/comments", token: viewer.token, json: ["body": "Looks good, ship it"])
            #expect(comment.status == .created)
            let commentID = try #require(comment.json["id"] as? String)
            #expect(try await api.request(.post, "\(base)/comments", token: viewer.token, json: ["body": "  "]).status == .unprocessableContent)
            #expect(try await api.request(.post, "\(base)/preview-links", token: viewer.token, json: [:]).status == .forbidden)

            let link = try await api.request(.post, "\(base)/preview-links", token: owner, json: ["expires_in_days": 3])
            #expect(link.status == .created)
            let url = try #require(link.json["url"] as? String)
            let preview = try await api.request(.get, url)
            #expect(preview.status == .ok)
            #expect((preview.json["posts"] as? [[String: Any]])?.first?["content"] as? String == "Launch day")
            #expect((preview.json["comments"] as? [[String: Any]])?.count == 1)
            let client = try await api.request(.post, "\(url)/comments", json: ["name": "Client", "body": "Can we say Tuesday?"])
            #expect(client.status == .created)
            #expect(client.json["via_preview"] as? Bool == true)
            let thread = try await api.request(.get, "\(base)/comments", token: owner)
            #expect((thread.json["comments"] as? [[String: Any]])?.map { $0["author_name"] as? String } == ["User", "Client"])

            // Only the author (or an admin) deletes a comment.
            let other = try await api.member("editor", of: organization, invitedBy: owner)
            #expect(try await api.request(.delete, "\(base)/comments/\(commentID)", token: other.token).status == .notFound)
            #expect(try await api.request(.delete, "\(base)/comments/\(commentID)", token: viewer.token).status == .noContent)

            let linkID = try #require((link.json["preview_link"] as? [String: Any])?["id"] as? String)
            #expect(try await api.request(.delete, "\(base)/preview-links/\(linkID)", token: owner).status == .noContent)
            #expect(try await api.request(.get, url).status == .notFound)
            #expect(try await api.request(.get, "/preview/pv_made-up").errorCode == "preview_not_found")
        }
    }

    @Test("the default signature is added unless a post names another or none; sets store the editor's JSON")
    func signaturesAndSets() async throws {
        try await APITestHarness.run { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let channel = try await api.connectMastodon(owner, organization: organization)
            let base = "/api/v1/organizations/\(organization)"
            #expect(try await api.request(.post, "\(base)/signatures", token: owner, json: ["name": "Team", "text": "— the team", "is_default": true]).status == .created)
            let formal = try await api.request(.post, "\(base)/signatures", token: owner, json: ["name": "Formal", "text": "Kind regards"])
            let formalID = try #require(formal.json["id"] as? String)

            let withDefault = try await scheduled(api, owner, organization, channel, "Hello")
            #expect((withDefault.json["posts"] as? [[String: Any]])?.first?["content"] as? String == "Hello\n\n— the team")
            let named = try await scheduled(api, owner, organization, channel, "Dear all", extra: ["signature_id": formalID])
            #expect((named.json["posts"] as? [[String: Any]])?.first?["content"] as? String == "Dear all\n\nKind regards")
            let bare = try await scheduled(api, owner, organization, channel, "Plain", extra: ["signature_id": "none"])
            #expect((bare.json["posts"] as? [[String: Any]])?.first?["content"] as? String == "Plain")
            #expect(try await scheduled(api, owner, organization, channel, "x", extra: ["signature_id": UUID().uuidString]).errorFields.keys.contains("signature_id"))
            // Making the formal one the default leaves one default.
            #expect(try await api.request(.patch, "\(base)/signatures/\(formalID)", token: owner, json: ["is_default": true]).status == .ok)
            let signatures = try await api.request(.get, "\(base)/signatures", token: owner)
            #expect((signatures.json["signatures"] as? [[String: Any]])?.filter { $0["is_default"] as? Bool == true }.count == 1)

            let set = try await api.request(.post, "\(base)/sets", token: owner, json: ["name": "Weekly", "content": ["channels": [channel], "text": "Weekly recap", "nested": ["a": 1]]])
            #expect(set.status == .created)
            #expect(((set.json["content"] as? [String: Any])?["nested"] as? [String: Any])?["a"] as? Double == 1)
            let setID = try #require(set.json["id"] as? String)
            #expect(try await api.request(.patch, "\(base)/sets/\(setID)", token: owner, json: ["name": "Weekly recap"]).json["name"] as? String == "Weekly recap")
            #expect(try await api.request(.post, "\(base)/sets", token: owner, json: ["name": "Bad", "content": [1, 2]]).errorFields["content"] == "must be a JSON object")
            #expect(try await api.request(.delete, "\(base)/sets/\(setID)", token: owner).status == .noContent)
            #expect((try await api.request(.get, "\(base)/sets", token: owner).json["sets"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("the same text on the same channel close in time is stored with a warning; the next free slot is offered")
    func duplicatesAndSlots() async throws {
        try await APITestHarness.run { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let channel = try await api.connectMastodon(owner, organization: organization)
            let first = try await scheduled(api, owner, organization, channel, "Big news")
            #expect((first.json["warnings"] as? [Any])?.isEmpty == true)
            let again = try await scheduled(api, owner, organization, channel, "  big NEWS ")
            #expect(again.status == .created)
            let warning = try #require((again.json["warnings"] as? [[String: Any]])?.first)
            #expect(warning["duplicate_of"] as? String == (first.json["posts"] as? [[String: Any]])?.first?["id"] as? String)
            let slot = try await api.request(.get, "/api/v1/organizations/\(organization)/integrations/\(channel)/next-slot", token: owner)
            #expect(slot.json["date"].flatMap { ISO8601Timestamp.parse($0 as! String) }.map { $0 > Date() } == true)
        }
    }
}
