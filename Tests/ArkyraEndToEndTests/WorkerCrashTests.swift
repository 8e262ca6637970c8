import ArkyraCore
import ArkyraTestSupport
import Foundation
import PostgresNIO
import Testing

@Suite("End to end: a worker killed with -9", .serialized)
struct WorkerCrashTests {
    @Test("its leased jobs are taken over by another worker and every post is published exactly once")
    func killNine() async throws {
        try await PublishingWorld.run(channels: 2) { world in
            let key = world.security.encryptionKeys[0]
            let base = [
                "ARKYRA_DATABASE_URL": "postgres://\(world.databaseConfiguration.username):\(world.databaseConfiguration.password ?? "")@\(world.databaseConfiguration.host):\(world.databaseConfiguration.port)/\(world.databaseConfiguration.database)",
                "ARKYRA_REDIS_URL": "redis://\(world.redis.configuration.host):\(world.redis.configuration.port)/0",
                "ARKYRA_REDIS_KEY_PREFIX": world.redis.configuration.keyPrefix,
                "ARKYRA_JWT_SECRET": String(repeating: "crash-test-", count: 4),
                "ARKYRA_ENCRYPTION_KEYS": "\(key.id):\(Data(key.bytes).base64EncodedString())",
                "ARKYRA_OUTBOUND_ALLOW_PRIVATE_HOSTS": "true",
                "ARKYRA_OUTBOUND_TIMEOUT_SECONDS": "30",
                "ARKYRA_WORKER_LEASE_SECONDS": "2",
                "ARKYRA_WORKER_CONCURRENCY": "8",
            ]
            func environment(_ id: String) throws -> [String: String] {
                base.merging(["ARKYRA_WORKER_ID": id, "ARKYRA_ADMIN_PORT": String(try freeTCPPort())]) { _, new in new }
            }
            let noEnvFile = ["--env-file", "/nonexistent/.env"]
            // The platform answers slowly, so worker A is in the middle of publishing when it dies.
            try await world.fault("slow", count: 16, extra: ["delay": 3])
            let workerA = try RunningProcess("arkyra-worker", arguments: noEnvFile, environment: try environment("worker-a"))
            for index in 0..<16 {
                let (_, job) = try await world.schedulePost("crash \(index)", channel: index % 2)
                try await world.queue.schedule(job.job(requestID: nil), at: Date())
            }
            var heldByA = 0
            for _ in 0..<100 where heldByA == 0 {
                try await Task.sleep(for: .milliseconds(100))
                heldByA = try await count(world, "state = 'publishing' AND lease_owner = 'worker-a'")
            }
            #expect(heldByA > 0, "worker A never claimed a post: \(workerA.output)")
            workerA.process.signal(SIGKILL)
            // Counted again once A is dead and before B starts: A may have finished a post between the first count
            // and the kill, and nothing else touches these rows until B runs.
            let orphaned = try await count(world, "state = 'publishing' AND lease_owner = 'worker-a'")
            #expect(orphaned > 0, "worker A finished everything before it was killed: \(workerA.output)")
            let workerB = try RunningProcess("arkyra-worker", arguments: noEnvFile, environment: try environment("worker-b"))

            for _ in 0..<600 where try await world.count(.published) < 16 {
                try await Task.sleep(for: .milliseconds(100))
            }
            // How soon the takeover comes is measured by `make bench` (crash reclaim), not asserted here: a busy
            // machine stretches it. Within the wait above every post is published, once.
            #expect(try await world.count(.published) == 16, "worker B: \(workerB.output)")
            let statuses = try await world.statuses()
            #expect(statuses.count == 16)
            #expect(Set(statuses.compactMap { $0["text"] as? String }).count == 16)
            #expect(try await count(world, "state = 'published' AND attempt > 1") >= orphaned, "posts A held were taken over")
            #expect(await workerB.terminate(within: .seconds(10)) == 0, "worker B did not stop cleanly: \(workerB.output)")
        }
    }

    private func count(_ world: PublishingWorld, _ condition: String) async throws -> Int {
        let rows = try await world.database.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM posts WHERE \(condition)"))
        for try await value in rows.decode(Int.self) { return value }
        return 0
    }
}
