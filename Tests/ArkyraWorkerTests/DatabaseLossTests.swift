import ArkyraCore
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Worker: PostgreSQL dropping its connections")
struct DatabaseLossTests {
    /// `make abuse` restarts the server itself; here every connection to the test database is terminated,
    /// again and again, while the worker publishes — what a restart does to the worker, in seconds.
    @Test("every connection killed, five times during a burst: each post is published once and recorded")
    func connectionsKilledMidBurst() async throws {
        try await PublishingWorld.run { fixture in
            let count = 24
            // Each publish takes 300 ms, so the kills land while posts are held and being recorded.
            try await fixture.fault("slow", count: count, extra: ["delay": 0.3])
            let configuration = WorkerConfiguration(
                service: TestEnvironment.service(database: fixture.databaseConfiguration, redis: fixture.redis.configuration),
                security: fixture.security, concurrency: 4, consumerName: "loss-worker"
            )
            let worker = buildWorker(configuration: configuration, logger: TestEnvironment.logger)
            try await worker.test(.live) { _ in
                let due = Date().addingTimeInterval(0.5)
                for index in 0..<count {
                    let (post, job) = try await fixture.schedulePost("loss \(index)", at: due)
                    try await fixture.queue.schedule(job.job(requestID: nil), at: post.publishAt!)
                }
                var killed = 0
                try await TestEnvironment.withClient(fixture.databaseConfiguration) { admin in
                    for _ in 0..<5 {
                        try await Task.sleep(for: .milliseconds(400))
                        let rows = try await admin.query(
                            """
                            SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity
                            WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                            """
                        )
                        for try await terminated in rows.decode(Int.self) { killed += terminated }
                    }
                }
                #expect(killed > 0)
                var published = 0
                for _ in 0..<300 where published < count {
                    try await Task.sleep(for: .milliseconds(100))
                    published = (try? await fixture.count(.published)) ?? published
                }
                #expect(published == count)
                let texts = try await fixture.statuses().compactMap { $0["text"] as? String }.filter { $0.hasPrefix("loss ") }
                #expect(texts.count == count, "on the platform: \(texts.count)")
                #expect(Set(texts).count == texts.count, "duplicated: \(texts.count - Set(texts).count)")
            }
        }
    }
}
