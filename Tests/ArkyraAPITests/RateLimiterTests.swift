import ArkyraAPI
import ArkyraCore
import ArkyraTestSupport
import Foundation
import Testing

@Suite("Sliding-window rate limits in Redis")
struct RateLimiterTests {
    @Test("allows up to the limit, then refuses with the time until there is room; asking costs nothing")
    func limits() async throws {
        try await TestEnvironment.withRedis { redis in
            let limiter = RateLimiter(redis: redis)
            let peek = try await limiter.hit("k", limit: 3, window: .seconds(60), cost: 0)
            #expect(peek.allowed && peek.remaining == 3)
            var remaining: [Int] = []
            for _ in 0..<3 {
                let decision = try await limiter.hit("k", limit: 3, window: .seconds(60))
                #expect(decision.allowed)
                remaining.append(decision.remaining)
            }
            #expect(remaining == [2, 1, 0])
            let refused = try await limiter.hit("k", limit: 3, window: .seconds(60))
            #expect(!refused.allowed)
            #expect(refused.remaining == 0)
            #expect((1...60).contains(refused.resetSeconds))
            #expect(try await limiter.hit("k", limit: 3, window: .seconds(60), cost: 0).allowed == false)
            // Other keys have their own budget.
            #expect(try await limiter.hit("other", limit: 3, window: .seconds(60)).allowed)
        }
    }

    @Test("the window slides: requests of the previous window count by how much of it still overlaps")
    func slides() async throws {
        try await TestEnvironment.withRedis { redis in
            let limiter = RateLimiter(redis: redis)
            // Six requests in the previous minute-long window, by Redis's clock.
            let time = try #require(try await redis.send(RedisCommand("TIME")).elements?.compactMap { $0.string.flatMap(Double.init) })
            let nowMilliseconds = time[0] * 1000 + (time[1] / 1000).rounded(.down)
            let current = (nowMilliseconds / 60_000).rounded(.down)
            let elapsed = (nowMilliseconds - current * 60_000) / 1000
            _ = try await redis.send(RedisCommand("HSET", .string(redis.key("{ratelimit}:s")), .string(String(Int(current) - 1)), "6"))
            var allowed = 0
            while try await limiter.hit("s", limit: 10, window: .seconds(60)).allowed { allowed += 1 }
            // They weigh 6 × (60 − elapsed) / 60 now, so 10 minus that fits (a moment later, perhaps one more).
            let expected = Int((10 - 6 * (60 - elapsed) / 60).rounded(.down))
            #expect((expected...expected + 1).contains(allowed), "allowed \(allowed), expected \(expected) at \(elapsed) s into the window")
        }
    }

    @Test("several budgets in one call are decided in the order asked, and counted only when every one has room")
    func severalBudgets() async throws {
        try await TestEnvironment.withRedis { redis in
            let limiter = RateLimiter(redis: redis)
            _ = try await limiter.hit("tight", limit: 1, window: .seconds(60))
            let decisions = try await limiter.hit([("loose", 5), ("tight", 1), ("fresh", 2)], window: .seconds(60))
            #expect(decisions.map(\.allowed) == [true, false, true])
            #expect(decisions.map(\.remaining) == [5, 0, 2])
            #expect(decisions.map(\.limit) == [5, 1, 2])
            // The refusal by one budget cost the others nothing.
            #expect(try await limiter.hit("loose", limit: 5, window: .seconds(60), cost: 0).remaining == 5)
            let counted = try await limiter.hit([("loose", 5), ("fresh", 2)], window: .seconds(60))
            #expect(counted.map(\.remaining) == [4, 1])
            #expect(try await limiter.hit("loose", limit: 5, window: .seconds(60), cost: 0).remaining == 4)
            #expect(try await limiter.hit([], window: .seconds(60)).isEmpty)
        }
    }

    @Test("a refund gives back one unit of each budget")
    func refund() async throws {
        try await TestEnvironment.withRedis { redis in
            let limiter = RateLimiter(redis: redis)
            _ = try await limiter.hit([("a", 3), ("b", 3)], window: .seconds(60))
            _ = try await limiter.hit([("a", 3), ("b", 3)], window: .seconds(60))
            try await limiter.refund(["a", "b", "never-used"], window: .seconds(60))
            #expect(try await limiter.hit("a", limit: 3, window: .seconds(60), cost: 0).remaining == 2)
            #expect(try await limiter.hit("b", limit: 3, window: .seconds(60), cost: 0).remaining == 2)
            #expect(try await limiter.hit("never-used", limit: 3, window: .seconds(60), cost: 0).remaining == 3)
        }
    }
}
