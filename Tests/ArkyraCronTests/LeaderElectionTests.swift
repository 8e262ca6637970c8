@testable import ArkyraCore
@testable import ArkyraCron
import ArkyraTestSupport
import Foundation
import Testing

@Suite("Cron: leader election when PostgreSQL drops the leader's connection")
struct LeaderElectionTests {
    @Test("the leader whose connection is terminated stops leading, and a leader ticks again within seconds")
    func leadsAgainAfterConnectionLoss() async throws {
        try await TestEnvironment.withDatabase { database, configuration in
            let ticks = TickCounter()
            let election = LeaderElection(database: database, lockKey: 78, logger: TestEnvironment.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    await election.lead(interval: .milliseconds(50), retryInterval: .milliseconds(100)) { await ticks.tick(0) }
                }
                for _ in 0..<100 where await ticks.total == 0 { try await Task.sleep(for: .milliseconds(50)) }
                #expect(await ticks.total > 0)
                // What a restart does to the leader's session: PostgreSQL ends it (57P01, admin shutdown).
                try await TestEnvironment.withClient(configuration) { admin in
                    try await admin.query(
                        """
                        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                        """
                    )
                }
                let before = await ticks.total
                for _ in 0..<100 where await ticks.total < before + 5 { try await Task.sleep(for: .milliseconds(50)) }
                let after = await ticks.total
                #expect(after >= before + 5, "the leader ticked \(after - before) times after its connection was ended")
                group.cancelAll()
            }
        }
    }
}
