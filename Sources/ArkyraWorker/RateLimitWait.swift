import Foundation

/// How long a post waits after its platform answered "too many requests", and when it stops waiting.
///
/// The wait is the platform's reset when it names one in the future, else the platform's documented window
/// (a reset of 0 or one in the past never means "now"); it is never shorter than `minimum` doubled for every
/// earlier refusal of the same post (capped at `longestStep`). Once a post has been rate limited for longer
/// than `giveUpAfter` (or, for platforms whose limits are daily, one window and one longest step), counted
/// from its first refusal, it fails with a message that says so.
struct RateLimitWait: Sendable, Equatable {
    var minimum: TimeInterval = 5
    var longestStep: TimeInterval = 3600
    var giveUpAfter: TimeInterval = 6 * 3600

    enum Decision: Equatable {
        case waitUntil(Date)
        case giveUp(String)
    }

    /// - Parameters:
    ///   - platformReset: when the platform said the limit lifts, if it said.
    ///   - window: the platform's documented rate-limit window.
    ///   - hits: how many times this post was refused before.
    ///   - since: the first refusal of this post (now, for the first).
    func decide(platformReset: Date?, window: TimeInterval, hits: Int, since: Date, now: Date) -> Decision {
        let floor = min(minimum * pow(2, Double(min(hits, 30))), longestStep)
        let announced = platformReset.map { $0.timeIntervalSince(now) }.flatMap { $0 > 0 ? $0 : nil } ?? window
        let until = now.addingTimeInterval(max(announced, floor))
        let limit = max(giveUpAfter, window + longestStep)
        if until.timeIntervalSince(since) > limit {
            let hours = limit / 3600
            let span = hours >= 1 ? "\(Int(hours.rounded())) hours" : "\(Int((limit / 60).rounded())) minutes"
            return .giveUp("the platform kept refusing this channel's requests as too many (rate limited) for over \(span); the post was not published — try again later")
        }
        return .waitUntil(until)
    }
}
