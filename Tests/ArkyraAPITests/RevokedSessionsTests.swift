@testable import ArkyraAPI
import ArkyraCore
import ArkyraTestSupport
import Foundation
import Testing

@Suite("API: revoked sessions, from PostgreSQL")
struct RevokedSessionsTests {
    @Test("a revocation committed by another process is seen after a reload, and asked of PostgreSQL while the copy is stale")
    func fromPostgreSQL() async throws {
        try await TestEnvironment.withDatabase { database, _ in
            var ids: [UUID] = []
            for try await id in try await database.query("""
                WITH u AS (INSERT INTO users (email, password_hash) VALUES ('r@example.com', 'x') RETURNING id)
                INSERT INTO sessions (user_id, expires_at) SELECT id, now() + interval '1 day' FROM u, generate_series(1, 2) RETURNING id
                """).decode(UUID.self) { ids.append(id) }
            let (kept, ended) = (ids[0], ids[1])
            let sessions = SessionRepository(logger: TestEnvironment.logger)
            let stale = RevokedSessions(database: database, sessions: sessions, accessTokenLifetime: .seconds(900), logger: TestEnvironment.logger)
            let fresh = RevokedSessions(database: database, sessions: sessions, accessTokenLifetime: .seconds(900), logger: TestEnvironment.logger)
            try await fresh.reload()
            #expect(try await fresh.isRevoked(ended) == false)

            // Another API process logs the session out: only the row changes.
            try await database.query("UPDATE sessions SET revoked_at = now(), revoked_reason = 'logout' WHERE id = \(ended)")
            #expect(try await fresh.isRevoked(ended) == false, "the copy is at most a reload behind")
            try await fresh.reload()
            #expect(try await fresh.isRevoked(ended) == true)
            #expect(try await fresh.isRevoked(kept) == false)
            // Never loaded: every check asks PostgreSQL.
            #expect(try await stale.isRevoked(ended) == true)
            #expect(try await stale.isRevoked(kept) == false)
            #expect(try await stale.isRevoked(UUID()) == true, "a session that does not exist is not live")
            // Erasing the account deletes its sessions outright; the copy still counts them revoked.
            try await database.query("DELETE FROM users WHERE email = 'r@example.com'")
            try await fresh.reload()
            #expect(try await fresh.isRevoked(kept) == true)
        }
    }
}
