import Logging

/// Consecutive failures of a loop that keeps trying (reading a queue, promoting due jobs, waiting for the
/// database at start-up): the first failure and every 50th are logged, the wait before the next try grows by
/// 100 ms a failure up to 2 s, and the first success after failures is logged once.
package struct FailureStreak {
    package private(set) var count = 0

    package init() {}

    package var isFailing: Bool { count > 0 }
    package var backoff: Duration { .milliseconds(min(100 * count, 2000)) }

    package mutating func failed(_ message: Logger.Message, error: any Error, metadata: Logger.Metadata, logger: Logger) {
        count += 1
        guard count == 1 || count % 50 == 0 else { return }
        var metadata = metadata
        metadata["error"] = "\(error)"
        metadata["failures"] = "\(count)"
        logger.error(message, metadata: metadata)
    }

    package mutating func succeeded(_ message: Logger.Message, metadata: Logger.Metadata, logger: Logger) {
        if count > 0 { logger.info(message, metadata: metadata) }
        count = 0
    }
}
