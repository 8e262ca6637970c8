import ArkyraCore
import Foundation

/// Runs jobs of one type. Throwing ``PermanentJobError`` sends the job to the dead-letter table; any other
/// error retries it under the handler's ``RetryPolicy``.
package protocol JobHandler: Sendable {
    var jobType: String { get }
    var retryPolicy: RetryPolicy { get }
    func handle(_ job: Job, context: JobContext) async throws
}

extension JobHandler {
    package var retryPolicy: RetryPolicy { RetryPolicy() }
}

/// What a handler knows about the delivery it runs.
package struct JobContext: Sendable {
    /// This worker's consumer name (the lease holder).
    package var consumer: String
    /// 1 on first delivery, more after the job was reclaimed from a crashed or hung worker.
    package var deliveries: Int
    /// The consumer whose unfinished work this delivery may take over, if any.
    package var staleOwner: String?

    package init(consumer: String, deliveries: Int, staleOwner: String?) {
        self.consumer = consumer
        self.deliveries = deliveries
        self.staleOwner = staleOwner
    }
}

/// A failure that retrying cannot fix.
package struct PermanentJobError: Error, CustomStringConvertible {
    package let message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}

/// How a job type retries: exponential backoff with jitter, until a number of attempts or a time since the
/// first attempt is used up; and a cap on deliveries so a job that crashes its worker every time (a poison
/// job) stops being handed out.
package struct RetryPolicy: Sendable {
    package var maxAttempts: Int
    /// No retry is scheduled to start later than this after the first attempt began.
    package var maxElapsed: Duration
    package var baseDelay: Duration
    package var maxDelay: Duration
    package var maxDeliveries: Int

    package init(maxAttempts: Int = 5, maxElapsed: Duration = .seconds(3600), baseDelay: Duration = .seconds(2),
                 maxDelay: Duration = .seconds(300), maxDeliveries: Int = 5) {
        self.maxAttempts = maxAttempts
        self.maxElapsed = maxElapsed
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxDeliveries = maxDeliveries
    }

    /// The wait before retry number `attempt + 1`: base × 2^attempt, capped, ±20 % jitter.
    package func delay(afterAttempt attempt: Int) -> Duration {
        let exponential = baseDelay * (1 << min(attempt, 20))
        let capped = min(exponential, maxDelay)
        return capped * Double.random(in: 0.8...1.2)
    }

    /// When the job that just failed its attempt number `attempt` (0-based) should run again, or nil when it
    /// is out of attempts or the retry would start past `maxElapsed` since `firstAttemptAt`.
    package func retryTime(afterAttempt attempt: Int, firstAttemptAt: Date, now: Date = Date()) -> Date? {
        guard attempt + 1 < maxAttempts else { return nil }
        let delay = delay(afterAttempt: attempt)
        let next = now.addingTimeInterval(TimeInterval(delay.milliseconds) / 1000)
        guard next.timeIntervalSince(firstAttemptAt) <= TimeInterval(maxElapsed.milliseconds) / 1000 else { return nil }
        return next
    }
}
