import ArkyraCore
import Foundation
import Logging
import Prometheus
import ServiceLifecycle

/// Runs the jobs of one or more queues: reads new entries on a connection per queue, holds each under a lease
/// that a heartbeat renews, takes over entries whose holder stopped renewing (a crashed or hung worker),
/// retries failures with backoff and buries what will not succeed. The worker's capacity is shared between
/// its queues by weight (``WeightedSlots``). On graceful shutdown it stops taking work and finishes what it
/// holds.
package struct QueueConsumer: Service {
    /// Lease timing: an entry idle (not renewed) for `leaseDuration` is reclaimed; holders renew every
    /// `leaseDuration / 4`; idle entries are looked for every `reclaimInterval`.
    package struct Leases: Sendable {
        package var leaseDuration: Duration
        package var reclaimInterval: Duration

        package init(leaseDuration: Duration = .seconds(10), reclaimInterval: Duration = .seconds(2)) {
            self.leaseDuration = leaseDuration
            self.reclaimInterval = reclaimInterval
        }
    }

    /// A queue this consumer reads and its share of the capacity when queues compete for it.
    package struct WeightedQueue: Sendable {
        package var queue: JobQueue
        package var weight: Int

        package init(_ queue: JobQueue, weight: Int) {
            self.queue = queue
            self.weight = max(1, weight)
        }
    }

    let queues: [WeightedQueue]
    let redis: RedisClient
    let handlers: [String: any JobHandler]
    let deadLetters: any DeadLetterStore
    let consumerName: String
    let concurrency: Int
    let leases: Leases
    let metrics: WorkerMetrics
    let logger: Logger

    package init(queues: [WeightedQueue], redis: RedisClient, handlers: [any JobHandler], deadLetters: any DeadLetterStore,
                 consumerName: String, concurrency: Int, leases: Leases = Leases(),
                 metrics: WorkerMetrics = WorkerMetrics(registry: PrometheusCollectorRegistry()), logger: Logger) {
        self.queues = queues
        self.redis = redis
        self.handlers = Dictionary(handlers.map { ($0.jobType, $0) }, uniquingKeysWith: { first, _ in first })
        self.deadLetters = deadLetters
        self.consumerName = consumerName
        self.concurrency = max(1, concurrency)
        self.leases = leases
        self.metrics = metrics
        self.logger = logger
    }

    package func run() async throws {
        let slots = WeightedSlots(capacity: concurrency, weights: queues.map(\.weight))
        let held = queues.map { _ in InFlightJobs() }
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                for (index, entry) in queues.enumerated() {
                    group.addTask { await renewLeases(entry.queue, held[index]) }
                    group.addTask { await read(entry.queue, index: index, slots: slots, held: held[index]) }
                }
            }
        } onGracefulShutdown: {
            slots.close()
        }
    }

    /// Reads one queue until shutdown: takes slots, reads that many entries at most (reclaimed ones first, when
    /// it is time to look), starts a task per job that gives its slot back when done and, when the queue is
    /// empty, waits for a new entry without holding a slot. Returns once its jobs have finished.
    private func read(_ queue: JobQueue, index: Int, slots: WeightedSlots, held: InFlightJobs) async {
        await withDiscardingTaskGroup { jobs in
            var connection: RedisConnection?
            var failures = FailureStreak()
            var nextReclaim = ContinuousClock.now
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                let granted = await slots.acquire(queue: index, wanted: concurrency)
                guard granted > 0 else { break }
                var received: [ReceivedJob] = []
                do {
                    if connection == nil || connection?.isActive == false {
                        try await queue.prepare()
                        connection = try await redis.makeDedicatedConnection()
                    }
                    if ContinuousClock.now >= nextReclaim {
                        received = try await queue.reclaim(consumer: consumerName, leaseDuration: leases.leaseDuration, count: granted)
                        // A full batch means more may be waiting: look again as soon as there is room.
                        nextReclaim = received.count == granted ? ContinuousClock.now : ContinuousClock.now + leases.reclaimInterval
                        for job in received {
                            logger.warning("took over a job from a stopped worker", metadata: [
                                "queue": "\(queue.name)", "job_id": "\(job.job.id)",
                                "previous_owner": "\(job.previousOwner ?? "?")", "deliveries": "\(job.deliveries)",
                            ])
                        }
                    }
                    if received.isEmpty {
                        received = try await queue.receive(on: connection!, consumer: consumerName, count: granted)
                    }
                    failures.succeeded("reading jobs again", metadata: ["queue": "\(queue.name)"], logger: logger)
                } catch {
                    failures.failed("cannot read jobs", error: error, metadata: ["queue": "\(queue.name)"], logger: logger)
                    await connection?.close()
                    connection = nil
                }
                slots.release(granted - received.count)
                for job in received {
                    held.insert(job.entryID)
                    jobs.addTask {
                        await process(job, from: queue)
                        held.remove(job.entryID)
                        slots.release(1)
                    }
                }
                if failures.isFailing {
                    try? await Task.sleep(for: failures.backoff)
                } else if received.isEmpty, let connection {
                    do {
                        try await queue.waitForUndelivered(on: connection, upTo: min(.seconds(1), leases.reclaimInterval))
                    } catch {
                        await connection.close()
                    }
                }
            }
            await connection?.close()
        }
    }

    /// Renews the leases of held entries until shutdown (and until they are all finished).
    private func renewLeases(_ queue: JobQueue, _ inFlight: InFlightJobs) async {
        let interval = leases.leaseDuration / 4
        var nextBeat = ContinuousClock.now + interval
        // Short naps, so that a stopping worker with nothing left to renew returns at once.
        while !(Task.isShuttingDownGracefully && inFlight.count == 0), !Task.isCancelled {
            try? await Task.sleep(for: min(interval, .milliseconds(100)))
            guard ContinuousClock.now >= nextBeat else { continue }
            nextBeat = ContinuousClock.now + interval
            let ids = inFlight.ids
            guard !ids.isEmpty else { continue }
            do {
                let lost = try await queue.heartbeat(entryIDs: ids, consumer: consumerName)
                for id in lost {
                    logger.warning("lease lost; another worker has taken the job over", metadata: ["queue": "\(queue.name)", "entry_id": "\(id)"])
                }
            } catch {
                logger.error("cannot renew leases", metadata: ["error": "\(error)"])
            }
        }
    }

    private func process(_ received: ReceivedJob, from queue: JobQueue) async {
        var logger = logger
        logger[metadataKey: "job_id"] = "\(received.job.id)"
        logger[metadataKey: "job_type"] = "\(received.job.type)"
        if let requestID = received.job.requestID { logger[metadataKey: "request_id"] = "\(requestID)" }
        do {
            guard let handler = handlers[received.job.type] else {
                try await bury(received, from: queue, error: "no handler for job type \(received.job.type)", logger: logger)
                return
            }
            if received.deliveries > handler.retryPolicy.maxDeliveries {
                try await bury(received, from: queue, error: "delivered \(received.deliveries) times without finishing; its worker stops each time", logger: logger)
                return
            }
            let startedAt = Date()
            let clock = ContinuousClock.now
            do {
                let context = JobContext(consumer: consumerName, deliveries: received.deliveries, staleOwner: received.staleOwner)
                try await handler.handle(received.job, context: context)
                try await acknowledge(received, from: queue, logger: logger)
                metrics.jobFinished(queue: queue.name, outcome: .completed, after: .now - clock)
            } catch let error as PermanentJobError {
                try await bury(received, from: queue, error: error.message, logger: logger, after: .now - clock)
            } catch {
                try await retry(received, from: queue, policy: handler.retryPolicy, startedAt: startedAt, error: error, logger: logger, after: .now - clock)
            }
        } catch {
            // Redis or PostgreSQL failed while finishing: the entry stays pending and is reclaimed after its lease.
            logger.error("could not record the job's outcome; it will be reclaimed", metadata: ["error": "\(error)"])
        }
    }

    private func acknowledge(_ received: ReceivedJob, from queue: JobQueue, logger: Logger) async throws {
        if try await !queue.acknowledge(entryID: received.entryID, consumer: consumerName) {
            logger.warning("acknowledged a job whose lease was lost; its new holder decides the outcome")
        }
    }

    private func retry(_ received: ReceivedJob, from queue: JobQueue, policy: RetryPolicy, startedAt: Date, error: any Error,
                       logger: Logger, after duration: Duration) async throws {
        var next = received.job
        next.firstAttemptAt = next.firstAttemptAt ?? startedAt
        next.errors = Array((next.errors + ["\(error)"]).suffix(Self.keptErrors))
        guard let retryAt = policy.retryTime(afterAttempt: next.attempt, firstAttemptAt: next.firstAttemptAt!) else {
            let reason = next.attempt + 1 >= policy.maxAttempts ? "failed \(next.attempt + 1) times" : "still failing after \(policy.maxElapsed)"
            try await bury(received, job: next, from: queue, error: "\(reason); last error: \(error)", logger: logger, after: duration)
            return
        }
        next.attempt += 1
        next.staleOwner = consumerName
        logger.warning("job failed; retrying", metadata: ["attempt": "\(next.attempt)", "at": "\(retryAt)", "error": "\(error)"])
        // Scheduled before the acknowledgement: a crash in between delivers the job twice, never zero times.
        try await queue.schedule(next, at: retryAt)
        try await acknowledge(received, from: queue, logger: logger)
        metrics.jobFinished(queue: queue.name, outcome: .retried, after: duration)
    }

    /// How many attempts' errors a job carries (the most recent ones).
    static let keptErrors = 20

    /// Moves the job to the dead-letter table; `duration` is its handler's time when a handler ran.
    private func bury(_ received: ReceivedJob, job: Job? = nil, from queue: JobQueue, error: String, logger: Logger,
                      after duration: Duration? = nil) async throws {
        logger.error("job moved to the dead-letter table", metadata: ["error": "\(error)", "deliveries": "\(received.deliveries)"])
        try await deadLetters.bury(job ?? received.job, queue: queue.name, deliveries: received.deliveries, error: error)
        try await acknowledge(received, from: queue, logger: logger)
        metrics.jobFinished(queue: queue.name, outcome: .dead, after: duration)
    }
}
