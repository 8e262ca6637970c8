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
}
