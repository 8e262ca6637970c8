import ArkyraCore
import Foundation
import Logging
import ServiceLifecycle

/// Runs a queue's jobs: reads new entries on a connection of its own, holds each under a lease that a
/// heartbeat renews, takes over entries whose holder stopped renewing (a crashed or hung worker), retries
/// failures with backoff and buries what will not succeed. On graceful shutdown it stops taking work and
/// finishes what it holds.
public struct QueueConsumer: Service {
    /// Lease timing: an entry idle (not renewed) for `leaseDuration` is reclaimed; holders renew every
    /// `leaseDuration / 4`; idle entries are looked for every `reclaimInterval`.
    public struct Leases: Sendable {
        public var leaseDuration: Duration
        public var reclaimInterval: Duration

        public init(leaseDuration: Duration = .seconds(10), reclaimInterval: Duration = .seconds(2)) {
            self.leaseDuration = leaseDuration
            self.reclaimInterval = reclaimInterval
        }
    }

    let queue: JobQueue
    let redis: RedisClient
    let handlers: [String: any JobHandler]
    let deadLetters: any DeadLetterStore
    let consumerName: String
    let concurrency: Int
    let leases: Leases
    let logger: Logger

    public init(queue: JobQueue, redis: RedisClient, handlers: [any JobHandler], deadLetters: any DeadLetterStore,
                consumerName: String, concurrency: Int, leases: Leases = Leases(), logger: Logger) {
        self.queue = queue
        self.redis = redis
        self.handlers = Dictionary(handlers.map { ($0.jobType, $0) }, uniquingKeysWith: { first, _ in first })
        self.deadLetters = deadLetters
        self.consumerName = consumerName
        self.concurrency = concurrency
        self.leases = leases
        self.logger = logger
    }

    public func run() async throws {
        let inFlight = InFlightJobs()
        let (finished, finishedSignal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await renewLeases(inFlight) }
            var connection: RedisConnection?
            var failures = 0
            var nextReclaim = ContinuousClock.now
            var waiter = finished.makeAsyncIterator()
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                if inFlight.count >= concurrency {
                    _ = await waiter.next()
                    continue
                }
                do {
                    if connection == nil || connection?.isActive == false {
                        try await queue.prepare()
                        connection = try await redis.makeDedicatedConnection()
                        if failures > 0 { logger.info("reading jobs again", metadata: ["queue": "\(queue.name)"]) }
                    }
                    var jobs: [ReceivedJob] = []
                    if ContinuousClock.now >= nextReclaim {
                        let room = concurrency - inFlight.count
                        jobs = try await queue.reclaim(consumer: consumerName, leaseDuration: leases.leaseDuration, count: room)
                        // A full batch means more may be waiting: look again as soon as there is room.
                        nextReclaim = jobs.count == room ? ContinuousClock.now : ContinuousClock.now + leases.reclaimInterval
                        for job in jobs {
                            logger.warning("took over a job from a stopped worker", metadata: [
                                "job_id": "\(job.job.id)", "previous_owner": "\(job.previousOwner ?? "?")", "deliveries": "\(job.deliveries)",
                            ])
                        }
                    }
                    if jobs.isEmpty {
                        jobs = try await queue.receive(
                            on: connection!, consumer: consumerName, count: concurrency - inFlight.count,
                            block: min(.seconds(1), leases.reclaimInterval)
                        )
                    }
                    failures = 0
                    for received in jobs {
                        inFlight.insert(received.entryID)
                        group.addTask {
                            await process(received)
                            inFlight.remove(received.entryID)
                            finishedSignal.yield()
                        }
                    }
                } catch {
                    failures += 1
                    if failures == 1 || failures % 50 == 0 {
                        logger.error("cannot read jobs", metadata: ["queue": "\(queue.name)", "error": "\(error)"])
                    }
                    await connection?.close()
                    connection = nil
                    try? await Task.sleep(for: .milliseconds(min(100 * failures, 2000)))
                }
            }
            await connection?.close()
            while inFlight.count > 0 { _ = await waiter.next() }
            finishedSignal.finish()
        }
    }

    /// Renews the leases of held entries until shutdown (and until they are all finished).
    private func renewLeases(_ inFlight: InFlightJobs) async {
        let interval = leases.leaseDuration / 4
        while !(Task.isShuttingDownGracefully && inFlight.count == 0), !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let ids = inFlight.ids
            guard !ids.isEmpty else { continue }
            do {
                let lost = try await queue.heartbeat(entryIDs: ids, consumer: consumerName)
                for id in lost {
                    logger.warning("lease lost; another worker has taken the job over", metadata: ["entry_id": "\(id)"])
                }
            } catch {
                logger.error("cannot renew leases", metadata: ["error": "\(error)"])
            }
        }
    }

    private func process(_ received: ReceivedJob) async {
        var logger = logger
        logger[metadataKey: "job_id"] = "\(received.job.id)"
        logger[metadataKey: "job_type"] = "\(received.job.type)"
        if let requestID = received.job.requestID { logger[metadataKey: "request_id"] = "\(requestID)" }
        do {
            guard let handler = handlers[received.job.type] else {
                try await bury(received, error: "no handler for job type \(received.job.type)", logger: logger)
                return
            }
            if received.deliveries > handler.retryPolicy.maxDeliveries {
                try await bury(received, error: "delivered \(received.deliveries) times without finishing; its worker stops each time", logger: logger)
                return
            }
            do {
                let context = JobContext(consumer: consumerName, deliveries: received.deliveries, staleOwner: received.staleOwner)
                try await handler.handle(received.job, context: context)
                try await finish(received, logger: logger)
            } catch let error as PermanentJobError {
                try await bury(received, error: error.message, logger: logger)
            } catch {
                try await retry(received, policy: handler.retryPolicy, error: error, logger: logger)
            }
        } catch {
            // Redis or PostgreSQL failed while finishing: the entry stays pending and is reclaimed after its lease.
            logger.error("could not record the job's outcome; it will be reclaimed", metadata: ["error": "\(error)"])
        }
    }

    private func finish(_ received: ReceivedJob, logger: Logger) async throws {
        if try await !queue.acknowledge(entryID: received.entryID, consumer: consumerName) {
            logger.warning("finished a job whose lease was lost; its new holder decides the outcome")
        }
    }

    private func retry(_ received: ReceivedJob, policy: RetryPolicy, error: any Error, logger: Logger) async throws {
        let attempt = received.job.attempt + 1
        guard attempt < policy.maxAttempts else {
            try await bury(received, error: "failed \(attempt) times; last error: \(error)", logger: logger)
            return
        }
        var next = received.job
        next.attempt = attempt
        next.staleOwner = consumerName
        let delay = policy.delay(afterAttempt: received.job.attempt)
        logger.warning("job failed; retrying", metadata: ["attempt": "\(attempt)", "in": "\(delay)", "error": "\(error)"])
        // Scheduled before the acknowledgement: a crash in between delivers the job twice, never zero times.
        try await queue.schedule(next, at: Date().addingTimeInterval(TimeInterval(delay.milliseconds) / 1000))
        try await finish(received, logger: logger)
    }

    private func bury(_ received: ReceivedJob, error: String, logger: Logger) async throws {
        logger.error("job moved to the dead-letter table", metadata: ["error": "\(error)", "deliveries": "\(received.deliveries)"])
        try await deadLetters.bury(received.job, queue: queue.name, deliveries: received.deliveries, error: error)
        try await finish(received, logger: logger)
    }
}
