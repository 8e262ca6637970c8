import ArkyraCore
import ArkyraTestSupport
import Foundation
import Testing

@Suite("API: a Redis outage")
struct OutageTests {
    @Test("health says 503 for Redis; a post scheduled meanwhile is stored, for the reconciler to queue once Redis is back")
    func redisDown() async throws {
        try await APITestHarness.run(redisPort: 1) { api in
            let health = try await api.request(.get, "/health")
            #expect(health.status == .serviceUnavailable)
            #expect(try await api.request(.get, "/health/redis").status == .serviceUnavailable)
            #expect(try await api.request(.get, "/health/db").status == .ok)

            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let channel = try await api.connectMastodon(token, organization: organization)
            let response = try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: token, json: [
                "publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": "Hello"]],
            ])
            #expect(response.status == .created)
            let stored = try await api.posts(token, organization: organization)
            #expect(stored.map { $0["state"] as? String } == ["scheduled"])
        }
    }

    @Test("with Redis down, a logout still ends the session at once: revocations live in PostgreSQL")
    func revocationWithoutRedis() async throws {
        try await APITestHarness.run(redisPort: 1) { api in
            let token = try await api.signUp()
            #expect(try await api.request(.get, "/api/v1/organizations", token: token).status == .ok)
            #expect(try await api.request(.post, "/api/v1/auth/logout", token: token).status == .noContent)
            let after = try await api.request(.get, "/api/v1/organizations", token: token)
            #expect(after.status == .unauthorized)
            #expect(after.errorCode == "session_revoked")
        }
    }
}
