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

    @Test("the window slides: requests of the previous window count less as it recedes")
    func slides() async throws {
        try await TestEnvironment.withRedis { redis in
            let limiter = RateLimiter(redis: redis)
            let window = Duration.seconds(2)
            for _ in 0..<4 { #expect(try await limiter.hit("s", limit: 4, window: window).allowed) }
            #expect(try await limiter.hit("s", limit: 4, window: window).allowed == false)
            // Two windows later nothing of the burst is left.
            try await Task.sleep(for: .milliseconds(4100))
            for _ in 0..<4 { #expect(try await limiter.hit("s", limit: 4, window: window).allowed) }
        }
    }
}
