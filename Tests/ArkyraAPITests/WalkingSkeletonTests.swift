import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite("API: register, connect, schedule")
struct WalkingSkeletonTests {
    @Test("a user registers, logs in, creates an organization, connects Mastodon and schedules a post")
    func walkThrough() async throws {
        try await APITestHarness.run { api in
            let register = try await api.request(.post, "/api/v1/auth/register", json: ["email": "Ada@Example.com", "password": "correct horse", "name": "Ada"])
            #expect(register.status == .created)
            #expect((register.json["user"] as? [String: Any])?["email"] as? String == "Ada@Example.com")

            let login = try await api.request(.post, "/api/v1/auth/login", json: ["email": "ada@example.com", "password": "correct horse"])
            #expect(login.status == .ok)
            #expect(login.json["token_type"] as? String == "Bearer")
            let token = try #require(login.json["access_token"] as? String)

            let organization = try await api.createOrganization(token)
            let listing = try await api.request(.get, "/api/v1/organizations", token: token)
            let organizations = listing.json["organizations"] as? [[String: Any]] ?? []
            #expect(organizations.count == 1)
            #expect(organizations.first?["role"] as? String == "owner")

            let channel = try await api.connectMastodon(token, organization: organization)
            let channels = try await api.request(.get, "/api/v1/organizations/\(organization)/integrations", token: token)
            let first = (channels.json["integrations"] as? [[String: Any]])?.first
            #expect(first?["username"] as? String == "ada")
            #expect(first?["access_token"] == nil)

            let publishAt = APITestHarness.future()
            let created = try await api.request(
                .post, "/api/v1/organizations/\(organization)/posts", token: token,
                json: ["publish_at": publishAt, "time_zone": "Europe/Berlin", "variants": [["integration_id": channel, "content": "Hello"]]],
                headers: [HTTPField.Name("X-Request-ID")!: "walk-42"]
            )
            #expect(created.status == .created)
            #expect(created.headers[HTTPField.Name("X-Request-ID")!] == "walk-42")
            let post = try #require((created.json["posts"] as? [[String: Any]])?.first)
            #expect(post["state"] as? String == "scheduled")
            #expect(post["time_zone"] as? String == "Europe/Berlin")
            let postID = try #require(post["id"] as? String)

            // The publish job waits in Redis for the publish time and carries the request id.
            let queue = JobQueue(name: .publish, redis: api.redis)
            let due = try #require(try await queue.dueTime(ofJob: postID))
            #expect(abs(due.timeIntervalSince(ISO8601Timestamp.parse(publishAt)!)) < 0.01)
            let payload = try #require(try await api.redis.send(RedisCommand("HGET", .string(queue.keys.payloads), .string(postID))).string)
            #expect(payload.contains("walk-42"))

            let single = try await api.request(.get, "/api/v1/organizations/\(organization)/posts/\(postID)", token: token)
            #expect(single.status == .ok)
            #expect(single.json["content"] as? String == "Hello")
            #expect(try await api.posts(token, organization: organization).count == 1)
        }
    }

    @Test("a request without an id gets one, echoed on the response")
    func requestIDGenerated() async throws {
        try await APITestHarness.run { api in
            let response = try await api.request(.get, "/api/v1/organizations")
            #expect(response.status == .unauthorized)
            #expect(response.errorCode == "unauthorized")
            #expect((response.headers[HTTPField.Name("X-Request-ID")!]?.count ?? 0) == 36)
            let weird = try await api.request(.get, "/", headers: [HTTPField.Name("X-Request-ID")!: "bad id with spaces"])
            #expect(weird.headers[HTTPField.Name("X-Request-ID")!] != "bad id with spaces")
        }
    }

    @Test("health reports every dependency")
    func health() async throws {
        try await APITestHarness.run { api in
            // Each probe has two seconds; a machine busy with the whole suite can miss that once, so a
            // probe is asked again (for a few seconds: an answer is kept for a second) before it counts as down.
            var health = try await api.request(.get, "/health")
            for _ in 0..<8 where health.status != .ok {
                try await Task.sleep(for: .milliseconds(300))
                health = try await api.request(.get, "/health")
            }
            #expect(health.status == .ok, "\(health.json)")
            let checks = health.json["checks"] as? [String: [String: Any]] ?? [:]
            #expect(Set(checks.keys) == ["db", "redis", "storage"])
            for path in ["/health/db", "/health/redis", "/health/storage"] {
                var status = try await api.request(.get, path).status
                for _ in 0..<8 where status != .ok {
                    try await Task.sleep(for: .milliseconds(300))
                    status = try await api.request(.get, path).status
                }
                #expect(status == .ok, "\(path)")
            }
        }
    }
}
