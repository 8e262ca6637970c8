import ArkyraCore
@testable import ArkyraCron
import ArkyraTestSupport
import ArkyraWorker
import Foundation
import HummingbirdTesting
import Testing

@Suite("Reconciler: PostgreSQL is the source of truth", .serialized)
struct ReconcilerTests {
    @Test("after FLUSHALL with 1,000 posts scheduled, every post is published exactly once")
    func flushAll() async throws {
        try await TestRedisServer.with { server async throws in
        try await PublishingWorld.run(channels: 4, redis: server.configuration()) { world in
            // Half were due a minute ago (their time came while Redis was gone), half are due a few seconds
            // after the last is stored (however long storing them took).
            let overdue = Date().addingTimeInterval(-60)
            var jobs: [(job: PublishJob, isOverdue: Bool)] = []
            for index in 0..<1000 {
                let isOverdue = index.isMultiple(of: 2)
                let (_, job) = try await world.schedulePost("post \(index)", channel: index % 4, at: isOverdue ? overdue : Date().addingTimeInterval(3600))
                jobs.append((job, isOverdue))
            }
            let upcoming = Date().addingTimeInterval(6)
            try await world.database.query("UPDATE posts SET publish_at = \(upcoming) WHERE publish_at > now()")
            for (job, isOverdue) in jobs {
                try await world.queue.schedule(job.job(requestID: nil), at: isOverdue ? overdue : upcoming)
            }
            #expect(try await world.redis.zcard(world.queue.keys.delayed) == 1000)
            #expect(Date() < upcoming)
            try await world.redis.send(RedisCommand("FLUSHALL"))
            #expect(try await world.redis.zcard(world.queue.keys.delayed) == 0)

            let reconciler = Reconciler(database: world.database, queue: world.queue, logger: TestEnvironment.logger)
            #expect(try await reconciler.reconcile().restored == 1000)
            #expect(try await reconciler.reconcile().restored == 0)

            let configuration = WorkerConfiguration(
                service: TestEnvironment.service(database: world.databaseConfiguration, redis: world.redis.configuration),
                security: world.security, concurrency: 32, consumerName: "reconcile-worker"
            )
            try await buildWorker(configuration: configuration, logger: TestEnvironment.logger).test(.live) { _ in
                for _ in 0..<600 where try await world.count(.published) < 1000 {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(try await world.count(.published) == 1000)
            let statuses = try await world.statuses()
            #expect(statuses.count == 1000)
            #expect(Set(statuses.compactMap { $0["text"] as? String }).count == 1000)
        }
        }
    }

    @Test("a post stuck publishing after its worker and job vanished is handed back and published once")
    func stuckPublishing() async throws {
        try await PublishingWorld.run { world in
            let (post, _) = try await world.schedulePost()
            _ = try await world.posts.claimForPublishing(id: post.id, owner: "vanished", staleOwner: nil, client: world.database)
            try await world.database.query("UPDATE posts SET updated_at = now() - interval '10 minutes' WHERE id = \(post.id)")
            let reconciler = Reconciler(database: world.database, queue: world.queue, logger: TestEnvironment.logger)
            let outcome = try await reconciler.reconcile()
            #expect(outcome.handedBack == 1)
            let configuration = WorkerConfiguration(
                service: TestEnvironment.service(database: world.databaseConfiguration, redis: world.redis.configuration),
                security: world.security, concurrency: 4, consumerName: "reconcile-worker"
            )
            try await buildWorker(configuration: configuration, logger: TestEnvironment.logger).test(.live) { _ in
                for _ in 0..<100 where try await world.reload(post).state == .publishing {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            // Taken over after 10 minutes: within Mastodon's idempotency window, so it is resent with the same key.
            #expect(try await world.reload(post).state == .published)
            #expect(try await world.statuses().count == 1)
        }
    }

    @Test("a take-down whose job vanished is given a new one, and the worker deletes the status once")
    func lostTakeDown() async throws {
        try await PublishingWorld.run { world in
            let (post, _) = try await world.schedulePost()
            let early = try await world.database.inTransaction(logger: TestEnvironment.logger) { connection in
                try await world.posts.requestRemoval(id: post.id, organizationID: world.organizationID, by: nil, on: connection)
            }
            #expect(early == nil, "a post not published yet cannot be taken down")
            // Published on the sandbox, then asked to be taken down; the job never reached Redis.
            let created = try await world.sandbox.execute(uri: "/mastodon/api/v1/statuses", method: .post,
                                                          headers: [.authorization: "Bearer token-0", .contentType: "application/json"],
                                                          body: jsonBody(["status": "to take down"])) { $0.json["id"] as? String }
            try await world.database.query("UPDATE posts SET state = 'published', platform_post_id = \(try #require(created)) WHERE id = \(post.id)")
            _ = try await world.database.inTransaction(logger: TestEnvironment.logger) { connection in
                try await world.posts.requestRemoval(id: post.id, organizationID: world.organizationID, by: nil, on: connection)
            }
            try await world.database.query("UPDATE posts SET updated_at = now() - interval '10 minutes' WHERE id = \(post.id)")
            let reconciler = Reconciler(database: world.database, queue: world.queue, logger: TestEnvironment.logger)
            #expect(try await reconciler.reconcile().restored == 1)
            #expect(try await reconciler.reconcile().restored == 0, "the restored job is still waiting")
            let configuration = WorkerConfiguration(
                service: TestEnvironment.service(database: world.databaseConfiguration, redis: world.redis.configuration),
                security: world.security, concurrency: 4, consumerName: "reconcile-worker"
            )
            try await buildWorker(configuration: configuration, logger: TestEnvironment.logger).test(.live) { _ in
                for _ in 0..<100 where try await world.reload(post).platformRemoval?.state == .requested {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(try await world.reload(post).platformRemoval?.state == .removed)
            #expect(try await world.statuses().isEmpty)
        }
    }

    @Test("only one replica leads at a time")
    func leaderElection() async throws {
        try await TestEnvironment.withDatabase { database, _ async throws in
            let ticks = TickCounter()
            let elections = (0..<3).map { _ in LeaderElection(database: database, lockKey: 77, logger: TestEnvironment.logger) }
            await withTaskGroup(of: Void.self) { group in
                for (index, election) in elections.enumerated() {
                    group.addTask {
                        await election.lead(interval: .milliseconds(50), retryInterval: .milliseconds(50)) { await ticks.tick(index) }
                    }
                }
                // Until a dozen ticks happened (at most 30 s): enough for a second leader to show up if it could.
                for _ in 0..<600 where await ticks.total < 12 { try? await Task.sleep(for: .milliseconds(50)) }
                group.cancelAll()
            }
            let leaders = await ticks.leaders
            #expect(leaders.count == 1)
            #expect(await ticks.total >= 12)
        }
    }
}

actor TickCounter {
    private(set) var leaders: Set<Int> = []
    private(set) var total = 0
    func tick(_ index: Int) {
        leaders.insert(index)
        total += 1
    }
}
