import ArkyraAPI
import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Public API: API keys, Postiz-compatible posts, rate limits")
struct PublicAPITests {
    /// An owner, an organization with a Mastodon channel, and an API key of it.
    private func setUp(_ api: APITestHarness) async throws -> (owner: String, organization: String, channel: String, key: String) {
        let owner = try await api.signUp()
        let organization = try await api.createOrganization(owner)
        let channel = try await api.connectMastodon(owner, organization: organization)
        let created = try await api.request(.post, "/api/v1/organizations/\(organization)/api-keys", token: owner, json: ["name": "n8n"])
        #expect(created.status == .created)
        return (owner, organization, channel, try #require(created.json["key"] as? String))
    }

    private func call(_ api: APITestHarness, _ method: HTTPRequest.Method, _ path: String, key: String?, json: [String: Any]? = nil) async throws -> TestResponse {
        var headers = HTTPFields()
        if let key { headers[.authorization] = key }
        return try await api.request(method, "/public/v1\(path)", json: json, headers: headers)
    }

    @Test("the rest of Postiz's routes: notifications paged, missing, release-id for unconfirmed posts, channel removal; connect links and analytics say what is missing")
    func remainingPostizRoutes() async throws {
        try await APITestHarness.run { api in
            let (owner, organization, channel, key) = try await setUp(api)
            let created = try await call(api, .post, "/posts", key: key, json: [
                "type": "schedule", "date": APITestHarness.future(), "posts": [["integration": ["id": channel], "value": [["content": "one"]]]],
            ])
            let postID = try #require(created.jsonArray.first?["postId"] as? String)
            try await TestEnvironment.withClient(api.database) { database in
                try await database.query("""
                    INSERT INTO notifications (organization_id, post_id, kind, message)
                    SELECT \(UUID(uuidString: organization)!), NULL, 'post.failed', 'note ' || n FROM generate_series(1, 3) n
                    """)
                let page = try await call(api, .get, "/notifications?page=0", key: key)
                #expect(page.status == .ok)
                #expect(page.json["total"] as? Int == 3)
                #expect(page.json["limit"] as? Int == 100)
                #expect(page.json["hasMore"] as? Bool == false)
                #expect((page.json["notifications"] as? [[String: Any]])?.first?["content"] as? String != nil)
                #expect((try await call(api, .get, "/notifications?page=1", key: key).json["notifications"] as? [Any])?.isEmpty == true)
                #expect(try await call(api, .get, "/notifications?page=-1", key: key).status == .unprocessableContent)

                let missing = try await call(api, .get, "/posts/\(postID)/missing", key: key)
                #expect(missing.status == .ok)
                #expect(String(buffer: missing.body) == "[]")
                #expect(try await call(api, .get, "/posts/\(UUID())/missing", key: key).status == .notFound)

                // Only a post whose outcome is unknown can be given its platform id.
                #expect(try await call(api, .put, "/posts/\(postID)/release-id", key: key, json: ["releaseId": "109"]).status == .conflict)
                try await database.query("UPDATE posts SET state = 'unconfirmed' WHERE id = \(UUID(uuidString: postID)!)")
                let confirmed = try await call(api, .put, "/posts/\(postID)/release-id", key: key, json: ["releaseId": "109"])
                #expect(confirmed.status == .ok)
                #expect(confirmed.json["state"] as? String == "PUBLISHED")
                #expect(confirmed.json["releaseId"] as? String == "109")
            }

            let link = try await call(api, .get, "/social/mastodon", key: key)
            #expect(link.status == .badRequest)
            #expect(link.errorCode == "connect_link_unavailable")
            let consent = try await call(api, .get, "/social/linkedin", key: key)
            #expect(consent.errorCode == "connect_link_unavailable")
            #expect(consent.errorMessage?.contains("/integrations/oauth/linkedin") == true)
            #expect(try await call(api, .get, "/social/myspace", key: key).errorCode == "integration_not_allowed")
            let analytics = try await call(api, .get, "/analytics/\(channel)?date=7", key: key)
            #expect(analytics.status == .notImplemented)
            #expect(analytics.errorCode == "analytics_unavailable")
            #expect(try await call(api, .get, "/analytics/post/\(postID)?date=7", key: key).status == .notImplemented)

            // Removing the channel takes its scheduled posts with it; the published one stays as history.
            let scheduled = try await call(api, .post, "/posts", key: key, json: [
                "type": "schedule", "date": APITestHarness.future(), "posts": [["integration": ["id": channel], "value": [["content": "two"]]]],
            ])
            #expect(scheduled.status == .created)
            let removed = try await call(api, .delete, "/integrations/\(channel)", key: key)
            #expect(removed.status == .ok)
            #expect(removed.json["id"] as? String == channel)
            #expect(try await call(api, .get, "/integrations", key: key).jsonArray.isEmpty)
            #expect(try await api.posts(owner, organization: organization).compactMap { $0["content"] as? String } == ["one"])
            #expect(try await call(api, .delete, "/integrations/\(channel)", key: key).status == .notFound)
        }
    }

    @Test("keys are shown once, listed by prefix, accepted raw or as Bearer, and refused once revoked")
    func keys() async throws {
        try await APITestHarness.run { api in
            let (owner, organization, _, key) = try await setUp(api)
            #expect(key.hasPrefix("ark_"))
            let listed = try await api.request(.get, "/api/v1/organizations/\(organization)/api-keys", token: owner)
            let keys = try #require(listed.json["api_keys"] as? [[String: Any]])
            #expect(keys.count == 1)
            #expect(keys[0]["prefix"] as? String == String(key.prefix(12)))
            #expect(!String(buffer: listed.body).contains(key))
            #expect(try await call(api, .get, "/is-connected", key: key).json["connected"] as? Bool == true)
            var bearer = HTTPFields()
            bearer[.authorization] = "Bearer \(key)"
            #expect(try await api.request(.get, "/public/v1/is-connected", headers: bearer).status == .ok)
            #expect(try await call(api, .get, "/is-connected", key: nil).status == .unauthorized)
            #expect(try await call(api, .get, "/is-connected", key: "ark_forged").errorCode == "invalid_api_key")
            // An access token is not an API key.
            #expect(try await call(api, .get, "/is-connected", key: owner).status == .unauthorized)
            // A key made by an admin stops working once they are only an editor.
            let admin = try await api.member("admin", of: organization, invitedBy: owner)
            let adminKey = try #require(try await api.request(.post, "/api/v1/organizations/\(organization)/api-keys", token: admin.token,
                                                              json: ["name": "admin's"]).json["key"] as? String)
            #expect(try await call(api, .get, "/is-connected", key: adminKey).status == .ok)
            #expect(try await api.request(.patch, "/api/v1/organizations/\(organization)/members/\(admin.id)", token: owner, json: ["role": "editor"]).status == .noContent)
            #expect(try await call(api, .get, "/is-connected", key: adminKey).errorCode == "api_key_creator_left")
            #expect(try await call(api, .get, "/is-connected", key: key).status == .ok)
            let id = try #require(keys[0]["id"] as? String)
            #expect(try await api.request(.delete, "/api/v1/organizations/\(organization)/api-keys/\(id)", token: owner).status == .noContent)
            #expect(try await call(api, .get, "/is-connected", key: key).status == .unauthorized)
        }
    }

    @Test("Postiz's create body round-trips: integrations, schedule with a comment and tags, list, read, edit, draft, group, delete")
    func postizRoundTrip() async throws {
        try await APITestHarness.run { api in
            let (_, _, channel, key) = try await setUp(api)
            let integrations = try await call(api, .get, "/integrations", key: key)
            let list = try #require(try JSONSerialization.jsonObject(with: Data(buffer: integrations.body)) as? [[String: Any]])
            #expect(list.first?["id"] as? String == channel)
            #expect(list.first?["identifier"] as? String == "mastodon")
            #expect(list.first?["disabled"] as? Bool == false)

            let date = APITestHarness.future(7200)
            let created = try await call(api, .post, "/posts", key: key, json: [
                "type": "schedule", "date": date, "shortLink": false, "tags": [["value": "launch", "label": "Launch"]],
                "posts": [["integration": ["id": channel], "value": [["content": "Hello", "image": []], ["content": "A comment", "delay": 60_000]],
                           "settings": ["__type": "mastodon"]]],
            ])
            #expect(created.status == .created)
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(buffer: created.body)) as? [[String: Any]])
            #expect(answer.count == 1)
            let postID = try #require(answer.first?["postId"] as? String)
            let group = try #require(answer.first?["group"] as? String)
            #expect(answer.first?["integration"] as? String == channel)

            let start = ISO8601Timestamp.format(Date())
            let end = ISO8601Timestamp.format(Date().addingTimeInterval(86_400))
            let listed = try await call(api, .get, "/posts?startDate=\(start)&endDate=\(end)", key: key)
            let posts = try #require(listed.json["posts"] as? [[String: Any]])
            let head = try #require(posts.first { $0["id"] as? String == postID })
            // Field by field what Postiz's GET /posts answers.
            #expect(head["state"] as? String == "QUEUE")
            #expect(head["arkyraState"] as? String == "scheduled")
            #expect(head["content"] as? String == "Hello")
            #expect(head["group"] as? String == group)
            let published = try #require((head["publishDate"] as? String).flatMap(ISO8601Timestamp.parse))
            #expect(abs(published.timeIntervalSince(try #require(ISO8601Timestamp.parse(date)))) < 0.001)
            #expect(head["settings"] as? String == "{}")
            #expect((head["tags"] as? [[String: [String: String]]])?.map { $0["tag"]?["name"] } == ["Launch"])
            let integration = try #require(head["integration"] as? [String: Any])
            #expect(integration["id"] as? String == channel)
            #expect(integration["providerIdentifier"] as? String == "mastodon")
            #expect(integration["name"] as? String == "ada")
            #expect(try await call(api, .get, "/posts?startDate=nope", key: key).errorFields.keys.contains("startDate"))

            let edited = try await call(api, .patch, "/posts/\(postID)", key: key, json: ["content": "Hello, world"])
            #expect(edited.json["content"] as? String == "Hello, world")
            let drafted = try await call(api, .put, "/posts/\(postID)/status", key: key, json: ["status": "draft"])
            #expect(drafted.json["state"] as? String == "DRAFT")
            #expect(try await api.redis.zscore(api.redis.key("{publish}:delayed"), member: postID.uppercased()) == nil)
            let rescheduled = try await call(api, .put, "/posts/\(postID)/status", key: key, json: ["status": "schedule"])
            #expect(rescheduled.json["state"] as? String == "QUEUE")
            #expect(try await api.redis.zscore(api.redis.key("{publish}:delayed"), member: postID.uppercased()) != nil)

            let grouped = try await call(api, .get, "/posts/group/\(group)", key: key)
            #expect((grouped.json["posts"] as? [[String: Any]])?.map { $0["content"] as? String } == ["Hello, world", "A comment"])
            #expect(try await call(api, .delete, "/posts/\(postID)", key: key).json["success"] as? Bool == true)
            #expect(try await call(api, .get, "/posts/\(postID)", key: key).status == .notFound)
            #expect(try await call(api, .get, "/posts/group/\(group)", key: key).status == .notFound)
        }
    }

    @Test("drafts, now, bad types and media get their answer; find-slot skips taken posting times")
    func modesAndSlots() async throws {
        try await APITestHarness.run { api in
            let (_, _, channel, key) = try await setUp(api)
            func create(_ type: String, date: String? = nil, image: Bool = false) async throws -> TestResponse {
                var body: [String: Any] = ["type": type, "posts": [["integration": ["id": channel],
                                                                  "value": [["content": "x \(UUID())", "image": image ? [["path": "a.png"]] : []]]]]]
                if let date { body["date"] = date }
                return try await call(api, .post, "/posts", key: key, json: body)
            }
            let draft = try await create("draft", date: APITestHarness.future())
            #expect(draft.status == .created)
            #expect(try await create("now").status == .created)
            #expect(try await create("later").errorFields["type"] == "must be one of: schedule, now, draft")
            #expect(try await create("schedule", date: APITestHarness.future(), image: true).errorFields["posts[0].value[0].image[0].id"]?.contains("upload") == true)
            // Errors name the fields as a Postiz client sent them.
            #expect(try await create("schedule").errorFields.keys.contains("date"))
            let thread: [String: Any] = ["type": "schedule", "date": APITestHarness.future(), "posts": [
                ["integration": ["id": channel], "value": [["content": "head"], ["content": String(repeating: "x", count: 600), "delay": 1000]]],
                ["integration": ["id": UUID().uuidString], "value": [["content": ""]]],
            ]]
            let fields = try await call(api, .post, "/posts", key: key, json: thread).errorFields
            #expect(fields["posts[0].value[1].content"] != nil, "\(fields)")
            #expect(fields["posts[1].integration.id"] == "is not a channel of this organization")
            let negative: [String: Any] = ["type": "schedule", "date": APITestHarness.future(), "posts": [
                ["integration": ["id": channel], "value": [["content": "head"], ["content": "soon", "delay": -5], ["content": "later", "delay": 90_000_000]]]]]
            let delays = try await call(api, .post, "/posts", key: key, json: negative).errorFields
            #expect(delays["posts[0].value[1].delay"] == "must be 0 to 86400000 (milliseconds)")
            #expect(delays["posts[0].value[2].delay"] == "must be 0 to 86400000 (milliseconds)")
            #expect(!fields.keys.contains { $0.contains("variants") || $0.contains("thread") }, "\(fields)")

            let slot = try #require(try await call(api, .get, "/find-slot/\(channel)", key: key).json["date"] as? String)
            let slotDate = try #require(ISO8601Timestamp.parse(slot))
            #expect(slotDate > Date())
            let minute = Int(slotDate.timeIntervalSince1970 / 60) % 1440
            #expect([120, 400, 700].contains(minute))
            #expect(try await create("schedule", date: slot).status == .created)
            let next = try #require(try await call(api, .get, "/find-slot/\(channel)", key: key).json["date"] as? String)
            #expect(try #require(ISO8601Timestamp.parse(next)) > slotDate)
            #expect(try await call(api, .get, "/find-slot/\(UUID())", key: key).status == .notFound)
        }
    }

    @Test("every answer carries RateLimit headers; past the key's budget the answer is 429 with Retry-After")
    func rateLimits() async throws {
        try await APITestHarness.run(rateLimits: .init(perUser: 600, perOrganization: 1200, perAPIKey: 3, perAddress: 120)) { api in
            let (owner, _, _, key) = try await setUp(api)
            let first = try await call(api, .get, "/is-connected", key: key)
            #expect(first.headers[HTTPField.Name("RateLimit-Limit")!] == "3")
            #expect(first.headers[HTTPField.Name("RateLimit-Remaining")!] == "2")
            #expect(first.headers[HTTPField.Name("RateLimit-Reset")!].flatMap(Int.init).map { (1...60).contains($0) } == true)
            _ = try await call(api, .get, "/is-connected", key: key)
            _ = try await call(api, .get, "/is-connected", key: key)
            let limited = try await call(api, .get, "/is-connected", key: key)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.errorCode == "rate_limited")
            #expect(limited.headers[.retryAfter].flatMap(Int.init) != nil)
            // The user's own API has its own budget.
            let own = try await api.request(.get, "/api/v1/organizations", token: owner)
            #expect(own.status == .ok)
            #expect(own.headers[HTTPField.Name("RateLimit-Limit")!] == "600")
        }
    }
}
