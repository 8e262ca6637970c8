import ArkyraCore
import Logging
import ServiceLifecycle

/// Moves due delayed jobs into their stream. It sleeps until the next job is due, but at most
/// `maximumSleep`, so a job scheduled meanwhile for an earlier time waits no longer than that.
/// Several workers may run it: the promotion script is atomic, so no job is promoted twice.
public struct DelayedJobPromoter: Service {
    let queue: JobQueue
    let maximumSleep: Duration
    let logger: Logger

    public init(queue: JobQueue, maximumSleep: Duration = .milliseconds(100), logger: Logger) {
        self.queue = queue
        self.maximumSleep = maximumSleep
        self.logger = logger
    }

    public func run() async throws {
        var failures = 0
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            var sleep = maximumSleep
            do {
                let promotion = try await queue.promoteDue()
                if failures > 0 { logger.info("promoting jobs again", metadata: ["queue": "\(queue.name)"]) }
                failures = 0
                if promotion.promoted > 0 {
                    logger.debug("promoted due jobs", metadata: ["queue": "\(queue.name)", "count": "\(promotion.promoted)"])
                    continue
                }
                if let next = promotion.nextDueIn { sleep = min(next, maximumSleep) }
            } catch {
                failures += 1
                if failures == 1 || failures % 50 == 0 {
                    logger.error("cannot promote due jobs", metadata: ["queue": "\(queue.name)", "error": "\(error)"])
                }
                sleep = .milliseconds(min(100 * failures, 2000))
            }
            try? await Task.sleep(for: sleep)
        }
    }
}
