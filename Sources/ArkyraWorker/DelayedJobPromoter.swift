import ArkyraCore
import Logging
import ServiceLifecycle

/// Moves due delayed jobs into their stream, on time: it sleeps until the next job is due (at most
/// `maximumSleep`), and wakes early when scheduling announces a new earliest job on the queue's wake channel.
/// Several workers may run it: the promotion script is atomic, so no job is promoted twice.
package struct DelayedJobPromoter: Service {
    let queue: JobQueue
    let redis: RedisClient
    let maximumSleep: Duration
    let logger: Logger

    package init(queue: JobQueue, redis: RedisClient, maximumSleep: Duration = .seconds(1), logger: Logger) {
        self.queue = queue
        self.redis = redis
        self.maximumSleep = maximumSleep
        self.logger = logger
    }

    package func run() async throws {
        let doorbell = Doorbell()
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await listen(doorbell) }
                group.addTask { await promote(doorbell) }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// Rings the doorbell for every announcement; resubscribes when the connection drops.
    private func listen(_ doorbell: Doorbell) async {
        while !Task.isCancelled {
            do {
                try await redis.subscribe(to: [queue.keys.wakeChannel]) { messages in
                    doorbell.ring()  // Anything scheduled while unsubscribed is picked up now.
                    for await _ in messages { doorbell.ring() }
                }
            } catch {
                logger.debug("wake channel unavailable", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    private func promote(_ doorbell: Doorbell) async {
        var failures = FailureStreak()
        while !Task.isCancelled {
            var sleep = maximumSleep
            do {
                let promotion = try await queue.promoteDue()
                failures.succeeded("promoting jobs again", metadata: ["queue": "\(queue.name)"], logger: logger)
                if promotion.promoted > 0 {
                    logger.debug("promoted due jobs", metadata: ["queue": "\(queue.name)", "count": "\(promotion.promoted)"])
                }
                if let next = promotion.nextDueIn { sleep = min(next, maximumSleep) }
            } catch {
                failures.failed("cannot promote due jobs", error: error, metadata: ["queue": "\(queue.name)"], logger: logger)
                sleep = failures.backoff
            }
            if sleep > .zero { await doorbell.wait(upTo: sleep) }
        }
    }
}
