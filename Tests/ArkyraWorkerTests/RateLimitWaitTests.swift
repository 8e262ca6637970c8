@testable import ArkyraWorker
import Foundation
import Testing

@Suite("Worker: how long a rate-limited post waits")
struct RateLimitWaitTests {
    let policy = RateLimitWait(minimum: 5, longestStep: 3600, giveUpAfter: 6 * 3600)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a reset of now or in the past waits the platform's documented window, never 0")
    func resetZeroOrPast() {
        for reset in [now, now.addingTimeInterval(-60), Date(timeIntervalSince1970: 0)] {
            #expect(policy.decide(platformReset: reset, window: 300, hits: 0, since: now, now: now) == .waitUntil(now.addingTimeInterval(300)))
        }
        #expect(policy.decide(platformReset: nil, window: 300, hits: 0, since: now, now: now) == .waitUntil(now.addingTimeInterval(300)))
    }

    @Test("a reset in the future is waited for, but never less than the minimum")
    func resetInFuture() {
        #expect(policy.decide(platformReset: now.addingTimeInterval(42), window: 300, hits: 0, since: now, now: now) == .waitUntil(now.addingTimeInterval(42)))
        #expect(policy.decide(platformReset: now.addingTimeInterval(1), window: 300, hits: 0, since: now, now: now) == .waitUntil(now.addingTimeInterval(5)))
    }

    @Test("the shortest wait doubles with every refusal of the same post, up to the longest step")
    func growsOnRepeats() {
        let soon = now.addingTimeInterval(1)
        let waits = (0..<12).map { hits -> TimeInterval in
            guard case .waitUntil(let until) = policy.decide(platformReset: soon, window: 1, hits: hits, since: now, now: now) else { return -1 }
            return until.timeIntervalSince(now)
        }
        #expect(waits == [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600])
    }

    @Test("past the cap on time spent rate limited the post gives up, saying why")
    func givesUp() {
        let since = now.addingTimeInterval(-6 * 3600 + 100)
        #expect(policy.decide(platformReset: now.addingTimeInterval(50), window: 300, hits: 3, since: since, now: now) == .waitUntil(now.addingTimeInterval(50)))
        guard case .giveUp(let message) = policy.decide(platformReset: now.addingTimeInterval(200), window: 300, hits: 3, since: since, now: now) else {
            Issue.record("expected the post to give up")
            return
        }
        #expect(message.contains("rate limited"))
        #expect(message.contains("6 hours"))
    }
}

@Suite("Rate-limit waits for platforms with daily limits")
struct DailyRateLimitWaitTests {
    @Test("a reset 20 hours away is waited for, not given up at once; the cap is then one day and an hour")
    func dailyWindow() {
        let wait = RateLimitWait()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let reset = now.addingTimeInterval(20 * 3600)
        #expect(wait.decide(platformReset: reset, window: 86_400, hits: 0, since: now, now: now) == .waitUntil(reset))
        let stillLimited = now.addingTimeInterval(26 * 3600)
        guard case .giveUp(let message) = wait.decide(platformReset: stillLimited, window: 86_400, hits: 1, since: now, now: now.addingTimeInterval(20 * 3600)) else {
            Issue.record("expected to give up after a day and an hour of refusals")
            return
        }
        #expect(message.contains("25 hours"))
    }
}
