import ArkyraCore
@testable import ArkyraCron
import ArkyraTestSupport
import Foundation
import Testing

@Suite("Cron: noticing that Redis lost its data")
struct RedisLossTests {
    @Test("the marker's disappearance is noticed once; a new leader's first look is not a loss")
    func detector() async throws {
        try await TestEnvironment.withRedis { redis in
            let detector = RedisLossDetector(redis: redis)
            #expect(try await detector.lostSinceLastCheck() == false)
            #expect(try await detector.lostSinceLastCheck() == false)
            // What FLUSHALL does to this test's keys.
            try await redis.delete([redis.key("cron:marker")])
            #expect(try await detector.lostSinceLastCheck() == true)
            #expect(try await detector.lostSinceLastCheck() == false)
            #expect(try await RedisLossDetector(redis: redis).lostSinceLastCheck() == false)
        }
    }

    @Test("after a loss, overdue posts are restored without the grace period and held posts are handed back soon")
    func reconcileAfterLoss() async throws {
        try await PublishingWorld.run { world in
            // Due five seconds ago (within the usual 30 s grace) and its job gone with Redis.
            let (overdue, _) = try await world.schedulePost("overdue", at: Date().addingTimeInterval(-5))
            // Held by a worker that died with Redis a moment ago (well within the usual 300 s).
            let (held, _) = try await world.schedulePost("held")
            _ = try await world.posts.claimForPublishing(id: held.id, owner: "died-with-redis", staleOwner: nil, client: world.database)
            try await world.database.query("UPDATE posts SET updated_at = now() - interval '2 seconds' WHERE id = \(held.id)")

            let reconciler = Reconciler(database: world.database, queue: world.queue, logger: TestEnvironment.logger)
            #expect(try await reconciler.reconcile() == Reconciler.Outcome())
            let began = Date()
            let outcome = try await reconciler.reconcileAfterRedisLoss()
            let ended = Date()
            #expect(outcome == Reconciler.Outcome(restored: 1, handedBack: 1))
            #expect(try await world.queue.dueTime(ofJob: overdue.id.uuidString) != nil)
            let handBack = try #require(try await world.queue.dueTime(ofJob: held.id.uuidString))
            // About 35 s after the reconcile (however long a busy machine took over it).
            #expect(handBack >= began.addingTimeInterval(30) && handBack <= ended.addingTimeInterval(40), "\(handBack) for \(began)–\(ended)")
        }
    }
}
