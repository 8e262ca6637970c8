import ArkyraCore
import Logging
import ServiceLifecycle

/// Reads a queue's stream on a connection of its own and runs up to `concurrency` jobs at once. On graceful
/// shutdown it stops reading and finishes the jobs it holds before returning.
public struct QueueConsumer: Service {
    let queue: JobQueue
    let redis: RedisClient
    let handlers: [String: any JobHandler]
    let consumerName: String
    let concurrency: Int
    let logger: Logger

    public init(queue: JobQueue, redis: RedisClient, handlers: [any JobHandler], consumerName: String, concurrency: Int, logger: Logger) {
        self.queue = queue
        self.redis = redis
        self.handlers = Dictionary(handlers.map { ($0.jobType, $0) }, uniquingKeysWith: { first, _ in first })
        self.consumerName = consumerName
        self.concurrency = concurrency
        self.logger = logger
    }

    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            var connection: RedisConnection?
            var running = 0
            var failures = 0
            let (finished, finishedSignal) = AsyncStream<Void>.makeStream()
            var finishedIterator = finished.makeAsyncIterator()
            defer { finishedSignal.finish() }
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                while running >= concurrency {
                    _ = await finishedIterator.next()
                    running -= 1
                }
                do {
                    if connection == nil || connection?.isActive == false {
                        connection = try await redis.makeDedicatedConnection()
                        try await queue.prepare()
                        if failures > 0 { logger.info("reading jobs again", metadata: ["queue": "\(queue.name)"]) }
                    }
                    let jobs = try await queue.receive(
                        on: connection!, consumer: consumerName, count: concurrency - running, block: .seconds(1)
                    )
                    failures = 0
                    for received in jobs {
                        running += 1
                        group.addTask {
                            await process(received)
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
        }
    }

    private func process(_ received: ReceivedJob) async {
        var logger = logger
        logger[metadataKey: "job_id"] = "\(received.job.id)"
        logger[metadataKey: "job_type"] = "\(received.job.type)"
        if let requestID = received.job.requestID { logger[metadataKey: "request_id"] = "\(requestID)" }
        guard let handler = handlers[received.job.type] else {
            logger.error("no handler for job type; dropping the job")
            try? await queue.acknowledge(entryID: received.entryID)
            return
        }
        do {
            try await handler.handle(received.job)
            try await queue.acknowledge(entryID: received.entryID)
        } catch {
            // Left unacknowledged: the entry stays pending in the group for reclaiming.
            logger.error("job failed and stays pending", metadata: ["error": "\(error)"])
        }
    }
}
