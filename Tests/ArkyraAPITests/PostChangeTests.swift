import ArkyraCore
import ArkyraTestSupport
import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing

@Suite("API: changing and deleting scheduled posts")
struct PostChangeTests {
    /// A signed-up user with an organization, a channel and one scheduled post; returns (token, organization, post id).
    private func scheduled(_ api: APITestHarness, extra: [String: Any] = [:]) async throws -> (String, String, String) {
        let token = try await api.signUp()
        let organization = try await api.createOrganization(token)
        let channel = try await api.connectMastodon(token, organization: organization)
        var body: [String: Any] = ["publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": "Hello"]]]
        body.merge(extra) { _, new in new }
        let created = try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: token, json: body)
        #expect(created.status == .created, "\(created.json)")
        let post = try #require((created.json["posts"] as? [[String: Any]])?.first?["id"] as? String)
        return (token, organization, post)
    }

    @Test("editing moves the job with the post; deleting cancels it")
    func editAndDelete() async throws {
        try await APITestHarness.run { api in
            let (token, organization, post) = try await scheduled(api)
            let path = "/api/v1/organizations/\(organization)/posts/\(post)"
            let later = APITestHarness.future(7200)
            let edited = try await api.request(.patch, path, token: token, json: ["content": "Hello again", "publish_at": later])
            #expect(edited.status == .ok)
            #expect(edited.json["content"] as? String == "Hello again")
            let queue = JobQueue(name: .publish, redis: api.redis)
            let due = try #require(try await queue.dueTime(ofJob: post))
            #expect(abs(due.timeIntervalSince(ISO8601Timestamp.parse(later)!)) < 0.01)

            let invalid = try await api.request(.patch, path, token: token, json: ["publish_at": "2001-01-01T00:00:00Z", "content": ""])
            #expect(invalid.status == .unprocessableContent)
            let unknown = try await api.request(.patch, path, token: token, json: ["colour": "red"])
            #expect(unknown.errorCode == "unknown_field")

            let deleted = try await api.request(.delete, path, token: token)
            #expect(deleted.status == .noContent)
            #expect(try await queue.dueTime(ofJob: post) == nil)
            #expect(try await api.request(.get, path, token: token).status == .notFound)
            #expect(try await api.request(.delete, path, token: token).status == .notFound)
        }
    }

    @Test("a post being published cannot be changed or deleted: 409, nothing lost")
    func publishingIsLocked() async throws {
        try await APITestHarness.run { api in
            let (token, organization, post) = try await scheduled(api)
            try await TestEnvironment.withClient(api.database) { client async throws in
                _ = try await client.query("UPDATE posts SET state = 'publishing', lease_owner = 'w' WHERE id = \(UUID(uuidString: post)!)")
            }
            let path = "/api/v1/organizations/\(organization)/posts/\(post)"
            let edit = try await api.request(.patch, path, token: token, json: ["content": "too late"])
            #expect(edit.status == .conflict)
            #expect(edit.errorCode == "post_publishing")
            #expect(try await api.request(.delete, path, token: token).status == .conflict)
            #expect(try await api.request(.get, path, token: token).json["content"] as? String == "Hello")
        }
    }

    @Test("a published post is taken down on request: 202 and one job however often it is asked; other posts get 409, viewers 403")
    func takeDown() async throws {
        try await APITestHarness.run { api in
            let (token, organization, post) = try await scheduled(api)
            let path = "/api/v1/organizations/\(organization)/posts/\(post)/publication"
            let early = try await api.request(.delete, path, token: token)
            #expect(early.status == .conflict)
            #expect(early.errorCode == "post_not_published")
            try await TestEnvironment.withClient(api.database) { client async throws in
                _ = try await client.query("""
                    UPDATE posts SET state = 'published', platform_post_id = '1090', published_at = now() WHERE id = \(UUID(uuidString: post)!)
                    """)
            }
            let asked = try await api.request(.delete, path, token: token)
            #expect(asked.status == .accepted, "\(asked.json)")
            let removal = try #require(asked.json["platform_removal"] as? [String: Any])
            #expect(removal["state"] as? String == "requested")
            #expect(removal["requested_at"] is String)
            let queue = JobQueue(name: .publish, redis: api.redis)
            #expect(try await queue.dueTime(ofJob: "unpublish:\(post.uppercased())") != nil)
            let again = try await api.request(.delete, path, token: token)
            #expect(again.status == .accepted)
            #expect((again.json["platform_removal"] as? [String: Any])?["requested_at"] as? String == removal["requested_at"] as? String)
            let waiting = try await api.redis.send(RedisCommand("ZRANGE", .string(queue.keys.delayed), "0", "-1")).elements?.compactMap(\.string) ?? []
            #expect(waiting.filter { $0.hasPrefix("unpublish:") } == ["unpublish:\(post.uppercased())"], "asking twice keeps one job")
            let shown = try await api.request(.get, "/api/v1/organizations/\(organization)/posts/\(post)", token: token)
            #expect((shown.json["platform_removal"] as? [String: Any])?["state"] as? String == "requested")

            let viewer = try await api.member("viewer", of: organization, invitedBy: token)
            #expect(try await api.request(.delete, path, token: viewer.token).status == .forbidden)
            #expect(try await api.request(.delete, "/api/v1/organizations/\(organization)/posts/\(UUID())/publication", token: token).status == .notFound)
        }
    }

    @Test("a published post's counts: none yet and a worker asked to read them (once), then what it stored; a post not published has none")
    func metrics() async throws {
        try await APITestHarness.run { api in
            let (token, organization, post) = try await scheduled(api)
            let path = "/api/v1/organizations/\(organization)/posts/\(post)/metrics"
            #expect(try await api.request(.get, path, token: token).errorCode == "post_not_published")
            try await TestEnvironment.withClient(api.database) { client async throws in
                _ = try await client.query("UPDATE posts SET state = 'published', platform_post_id = '1090', published_at = now() WHERE id = \(UUID(uuidString: post)!)")
            }
            let first = try await api.request(.get, path, token: token)
            #expect(first.status == .ok, "\(first.json)")
            #expect(first.json["refreshing"] as? Bool == true)
            #expect((first.json["counts"] as? [String: Any])?.isEmpty == true)
            let queue = JobQueue(name: .publish, redis: api.redis)
            #expect(try await queue.dueTime(ofJob: "metrics:\(post.uppercased())") != nil)
            _ = try await api.request(.get, path, token: token)
            let waiting = try await api.redis.send(RedisCommand("ZRANGE", .string(queue.keys.delayed), "0", "-1")).elements?.compactMap(\.string) ?? []
            #expect(waiting.filter { $0.hasPrefix("metrics:") }.count == 1, "asking twice keeps one job")
            try await TestEnvironment.withClient(api.database) { client async throws in
                _ = try await client.query("""
                    INSERT INTO post_metrics (post_id, organization_id, counts, fetched_at) SELECT id, organization_id, '{"likes": 3}', now() FROM posts WHERE id = \(UUID(uuidString: post)!)
                    """)
            }
            let stored = try await api.request(.get, path, token: token)
            #expect((stored.json["counts"] as? [String: Any])?["likes"] as? Int == 3)
            #expect(stored.json["refreshing"] as? Bool == false)
            #expect(stored.json["fetched_at"] is String)
            let viewer = try await api.member("viewer", of: organization, invitedBy: token)
            #expect(try await api.request(.get, path, token: viewer.token).status == .ok)
        }
    }

    /// A signed-up user with a channel who has scheduled the thread "1/3" followed by `items`; returns the
    /// token, the channel, the organization's posts path and the creation's answer.
    private func thread(_ api: APITestHarness, _ items: [[String: Any]]) async throws -> (String, String, String, TestResponse) {
        let token = try await api.signUp()
        let organization = try await api.createOrganization(token)
        let channel = try await api.connectMastodon(token, organization: organization)
        let path = "/api/v1/organizations/\(organization)/posts"
        let created = try await api.request(.post, path, token: token, json: [
            "publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": "1/3", "thread": items]],
        ])
        return (token, channel, path, created)
    }

    @Test("a thread is stored with its items waiting; bad items are named")
    func threads() async throws {
        try await APITestHarness.run { api in
            let (token, channel, path, created) = try await thread(api, [["content": "2/3", "delay_seconds": 30], ["content": "3/3"]])
            #expect(created.status == .created)
            let posts = created.json["posts"] as? [[String: Any]] ?? []
            #expect(posts.compactMap { $0["state"] as? String } == ["scheduled", "waiting", "waiting"])
            #expect(posts[1]["parent_id"] as? String == posts[0]["id"] as? String)
            let bad = try await api.request(.post, path, token: token, json: [
                "publish_at": APITestHarness.future(),
                "variants": [["integration_id": channel, "content": "1/2", "thread": [["content": "", "delay_seconds": -1]]]],
            ])
            #expect(Set(bad.errorFields.keys) == ["variants[0].thread[0].content", "variants[0].thread[0].delay_seconds"])
            let unknown = try await api.request(.post, path, token: token, json: [
                "publish_at": APITestHarness.future(),
                "variants": [["integration_id": channel, "content": "1/2", "thread": [["content": "2/2", "attachments": []]]]],
            ])
            #expect(unknown.errorFields == ["variants[0].thread[0].attachments": "is not a known field"])
        }
    }

    @Test("deleting a thread whose first items are out deletes the item already released too; one being published is refused")
    func deletingAThreadMidWay() async throws {
        try await APITestHarness.run { api in
            let (token, _, path, created) = try await thread(api, [["content": "2/3"], ["content": "3/3"]])
            let ids = try (created.json["posts"] as? [[String: Any]] ?? []).map { try #require(UUID(uuidString: $0["id"] as? String ?? "")) }
            try #require(ids.count == 3)
            try await TestEnvironment.withClient(api.database) { database in
                // As after the first item went out: it is published and the second was released to the schedule.
                try await database.query("UPDATE posts SET state = 'published' WHERE id = \(ids[0])")
                try await database.query("UPDATE posts SET state = 'publishing', publish_at = now() WHERE id = \(ids[1])")
                let refused = try await api.request(.delete, "\(path)/\(ids[0])", token: token)
                #expect(refused.status == .conflict)
                #expect(try await liveCount(ids, database) == 3)

                try await database.query("UPDATE posts SET state = 'scheduled', publish_at = now() + interval '1 hour' WHERE id = \(ids[1])")
                #expect(try await api.request(.delete, "\(path)/\(ids[0])", token: token).status == .noContent)
                #expect(try await liveCount(ids, database) == 0)
            }
        }
    }

    private func liveCount(_ ids: [UUID], _ database: Database) async throws -> Int {
        for try await count in try await database.query("SELECT count(*)::int FROM posts WHERE id = ANY(\(ids)) AND deleted_at IS NULL").decode(Int.self) {
            return count
        }
        return -1
    }

    @Test("a recurring post is accepted with a valid rule and refused with a bad one")
    func recurrenceRules() async throws {
        try await APITestHarness.run { api in
            let (token, organization, post) = try await scheduled(api, extra: ["recurrence": ["unit": "day", "every": 1], "time_zone": "Europe/Berlin"])
            let single = try await api.request(.get, "/api/v1/organizations/\(organization)/posts/\(post)", token: token)
            #expect((single.json["recurrence"] as? [String: Any])?["unit"] as? String == "day")
            let channels = try await api.request(.get, "/api/v1/organizations/\(organization)/integrations", token: token)
            let channel = try #require((channels.json["integrations"] as? [[String: Any]])?.first?["id"] as? String)
            let bad = try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: token, json: [
                "publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": "x"]],
                "recurrence": ["unit": "fortnight", "every": 0],
            ])
            #expect(bad.status == .unprocessableContent)
            #expect(Set(bad.errorFields.keys) == ["recurrence.unit", "recurrence.every"])
            let badRule = try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: token, json: [
                "publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": "x"]],
                "recurrence": ["cron": "0 25 * * *"],
            ])
            #expect(badRule.errorFields == ["recurrence.cron": "hour field: 25 is not a number from 0 to 23"])
            let weekdays = try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: token, json: [
                "publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": "weekday post"]],
                "recurrence": ["cron": "0 9 * * MON-FRI"], "time_zone": "Europe/Berlin",
            ])
            #expect(weekdays.status == .created)
            let rulePost = try #require((weekdays.json["posts"] as? [[String: Any]])?.first?["id"] as? String)
            let stored = try await api.request(.get, "/api/v1/organizations/\(organization)/posts/\(rulePost)", token: token)
            #expect((stored.json["recurrence"] as? [String: Any])?["cron"] as? String == "0 9 * * MON-FRI")
        }
    }
}
