import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("API: the calendar query")
struct CalendarTests {
    @Test("filters by channel, state and tag, and pages with a cursor that never repeats or skips a post")
    func filtersAndPages() async throws {
        try await APITestHarness.run { api in
            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let channel = try await api.connectMastodon(token, organization: organization)
            let base = "/api/v1/organizations/\(organization)/posts"
            // Five posts at the same instant (ties are ordered by id), two more later; one draft, one tagged.
            let same = APITestHarness.future(3600)
            for index in 0..<5 {
                #expect(try await api.request(.post, base, token: token, json: ["publish_at": same, "variants": [["integration_id": channel, "content": "same \(index)"]]]).status == .created)
            }
            let key = try await api.request(.post, "/api/v1/organizations/\(organization)/api-keys", token: token, json: ["name": "k"])
            var headers = HTTPFields()
            headers[.authorization] = try #require(key.json["key"] as? String)
            headers[.contentType] = "application/json"
            let tagged = try await api.client.execute(uri: "/public/v1/posts", method: .post, headers: headers, body: jsonBody([
                "type": "draft", "date": APITestHarness.future(7200), "tags": [["value": "promo", "label": "Promo"]],
                "posts": [["integration": ["id": channel], "value": [["content": "tagged draft"]]]],
            ]))
            #expect(tagged.status == .created)
            #expect(try await api.request(.post, base, token: token, json: ["publish_at": APITestHarness.future(10_800), "variants": [["integration_id": channel, "content": "last"]]]).status == .created)

            let range = "from=\(ISO8601Timestamp.format(Date()))&to=\(ISO8601Timestamp.format(Date().addingTimeInterval(86_400)))"
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await api.request(.get, "\(base)?\(range)&limit=2\(cursor.map { "&cursor=\($0)" } ?? "")", token: token)
                let posts = try #require(page.json["posts"] as? [[String: Any]])
                #expect(posts.count <= 2)
                seen += posts.compactMap { $0["content"] as? String }
                cursor = page.json["next_cursor"] as? String
            } while cursor != nil
            #expect(seen.count == 7)
            #expect(Set(seen).count == 7)
            #expect(seen.last == "last")

            let drafts = try await api.request(.get, "\(base)?\(range)&state=draft", token: token)
            #expect((drafts.json["posts"] as? [[String: Any]])?.map { $0["content"] as? String } == ["tagged draft"])
            let promo = try await api.request(.get, "\(base)?\(range)&tag=PROMO", token: token)
            #expect((promo.json["posts"] as? [[String: Any]])?.count == 1)
            let byChannel = try await api.request(.get, "\(base)?\(range)&integration_id=\(channel)&state=scheduled", token: token)
            #expect((byChannel.json["posts"] as? [[String: Any]])?.count == 6)
            let otherChannel = try await api.request(.get, "\(base)?\(range)&integration_id=\(UUID())", token: token)
            #expect((otherChannel.json["posts"] as? [Any])?.isEmpty == true)
            let bad = try await api.request(.get, "\(base)?\(range)&state=lost&limit=5000&cursor=x", token: token)
            #expect(Set(bad.errorFields.keys) == ["state", "limit", "cursor"])

            // Another organization's post id as a cursor tells nothing about where that post sits in time.
            let stranger = try await api.signUp()
            let theirs = try await api.createOrganization(stranger)
            let theirChannel = try await api.connectMastodon(stranger, organization: theirs)
            let their = try await api.request(.post, "/api/v1/organizations/\(theirs)/posts", token: stranger, json: [
                "publish_at": same, "variants": [["integration_id": theirChannel, "content": "theirs"]],
            ])
            let theirPost = try #require((their.json["posts"] as? [[String: Any]])?.first?["id"] as? String)
            let probed = try await api.request(.get, "\(base)?\(range)&cursor=\(theirPost)", token: token)
            #expect(probed.status == .ok)
            #expect((probed.json["posts"] as? [Any])?.isEmpty == true)
        }
    }
}
