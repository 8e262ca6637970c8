import ArkyraCore
@testable import ArkyraCron
import ArkyraTestSupport
import Foundation
import PostgresNIO
import Testing

@Suite("Cron: retention")
struct RetentionSweepTests {
    @Test("dead jobs past the retention period go, and the oldest beyond the limit go; so do old audit events")
    func sweepsDeadJobs() async throws {
        try await TestEnvironment.withDatabase { database, _ async throws in
            let logger = TestEnvironment.logger
            let now = Date()
            // Ages in days: 40 and 31 are past a 30-day retention; of the other five, a limit of 3 keeps the newest three.
            for (index, age) in [40, 31, 20, 10, 5, 2, 1].enumerated() {
                let createdAt = now.addingTimeInterval(-Double(age) * 86_400)
                try await database.query(
                    """
                    INSERT INTO dead_jobs (queue, job_id, job_type, job, deliveries, last_error, created_at)
                    VALUES ('publish', \("job-\(index)"), 'publish', '{"id":"x","type":"publish"}'::jsonb, 1, 'gave up', \(createdAt))
                    """,
                    logger: logger
                )
            }
            for age in [400, 10] {
                try await database.query(
                    """
                    INSERT INTO audit_events (action, target_type, created_at) VALUES ('user.registered', 'user', \(now.addingTimeInterval(-Double(age) * 86_400)))
                    """,
                    logger: logger
                )
            }
            let configuration = CronConfiguration(
                service: TestEnvironment.service(database: TestEnvironment.maintenanceDatabase, redis: TestEnvironment.redisConfiguration()),
                deadJobRetention: .seconds(30 * 86_400), deadJobLimit: 3, auditRetention: .seconds(365 * 86_400)
            )
            let sweep = RetentionSweep(database: database, configuration: configuration, logger: logger)
            #expect(try await sweep.sweep(now: now) == .init(deadJobs: 4, auditEvents: 1))
            var left: [String] = []
            for try await id in try await database.query("SELECT job_id FROM dead_jobs ORDER BY created_at", logger: logger).decode(String.self) {
                left.append(id)
            }
            #expect(left == ["job-4", "job-5", "job-6"])
            #expect(try await sweep.sweep(now: now) == .init(deadJobs: 0, auditEvents: 0))
        }
    }

    @Test("sessions, tokens and notifications go once they are past use; live ones stay")
    func sweepsCredentials() async throws {
        try await TestEnvironment.withDatabase { database, _ async throws in
            try await database.query("""
                WITH u AS (INSERT INTO users (email, password_hash) VALUES ('old@example.com', 'x') RETURNING id),
                s AS (
                    INSERT INTO sessions (user_id, expires_at, revoked_at)
                    SELECT u.id, e, r FROM u, (VALUES (now() - interval '3 days', NULL::timestamptz), (now() + interval '3 days', now() - interval '2 days'),
                                                      (now() + interval '3 days', NULL::timestamptz), (now() - interval '1 hour', NULL::timestamptz)) AS v (e, r)
                    RETURNING id
                ),
                t AS (
                    INSERT INTO account_tokens (token_hash, user_id, purpose, expires_at, used_at)
                    SELECT decode(md5(random()::text), 'hex'), u.id, 'activation', e, used FROM u,
                        (VALUES (now() - interval '2 days', NULL::timestamptz), (now() + interval '1 day', now() - interval '3 days'), (now() + interval '1 day', NULL::timestamptz)) AS v (e, used)
                ),
                o AS (INSERT INTO organizations (name) VALUES ('Old') RETURNING id)
                INSERT INTO notifications (organization_id, kind, message, created_at)
                SELECT o.id, 'post.failed', 'x', c FROM o, (VALUES (now() - interval '100 days'), (now() - interval '10 days')) AS v (c)
                """)
            let configuration = CronConfiguration(
                service: TestEnvironment.service(database: TestEnvironment.maintenanceDatabase, redis: TestEnvironment.redisConfiguration())
            )
            let sweep = RetentionSweep(database: database, configuration: configuration, logger: TestEnvironment.logger)
            let outcome = try await sweep.sweep()
            // Expired three days ago and revoked two days ago go; live, and expired only an hour ago, stay.
            #expect(outcome.sessions == 2)
            #expect(outcome.accountTokens == 2)
            #expect(outcome.notifications == 1)
            #expect(try await sweep.sweep() == RetentionSweep.Outcome())
        }
    }
}
