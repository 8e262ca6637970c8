import ArkyraCore
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import Testing

/// The job types run, in order, shared by handlers.
final class RunLog: Sendable {
    private let entries = Mutex<[String]>([])
    func append(_ type: String) { entries.withLock { $0.append(type) } }
    var all: [String] { entries.withLock { $0 } }
}

/// Records the jobs it runs and fails those whose type starts with "fail".
final class RecordingHandler: JobHandler, Sendable {
    let jobType: String
    let retryPolicy: RetryPolicy
    let log: RunLog

    init(jobType: String, retryPolicy: RetryPolicy = RetryPolicy(), log: RunLog = RunLog()) {
        self.jobType = jobType
        self.retryPolicy = retryPolicy
        self.log = log
    }

    struct Failure: Error, CustomStringConvertible {
        let attempt: Int
        var description: String { "platform said no (attempt \(attempt))" }
    }

    func handle(_ job: Job, context: JobContext) async throws {
        log.append(job.type)
        if jobType.hasPrefix("fail") { throw Failure(attempt: job.attempt) }
    }

    var runs: [String] { log.all }
}

/// A bare organization row, for jobs that name one.
func makeOrganization(_ database: Database) async throws -> UUID {
    let rows = try await database.query("INSERT INTO organizations (name) VALUES ('Queue tests') RETURNING id", logger: TestEnvironment.logger)
    var ids: [UUID] = []
    for try await id in rows.decode(UUID.self) { ids.append(id) }
    return try #require(ids.first)
}

/// Runs `services` until `done` returns true (checked every 20 ms, for at most 30 s), then shuts them down.
func runUntil(_ services: [any Service], _ done: @Sendable () async throws -> Bool) async throws {
    let group = ServiceGroup(configuration: .init(services: services, logger: TestEnvironment.logger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        for _ in 0..<1500 {
            if try await done() { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

@Suite("Worker: consuming queues")
struct QueueConsumerTests {
    @Test("queues share the worker by weight: a backlog of publish jobs runs first, ai jobs still get their share")
    func weightedQueues() async throws {
        try await TestEnvironment.withDatabase { database, _ in
            try await TestEnvironment.withRedis { redis in
                let publish = JobQueue(name: .publish, redis: redis)
                let ai = JobQueue(name: .ai, redis: redis)
                for queue in [publish, ai] { try await queue.prepare() }
                try await publish.enqueue((0..<40).map { Job(id: "p\($0)", type: "p", data: [:], requestID: nil) })
                try await ai.enqueue((0..<40).map { Job(id: "a\($0)", type: "a", data: [:], requestID: nil) })
                let log = RunLog()
                let consumer = QueueConsumer(
                    queues: [.init(publish, weight: QueueName.publish.weight), .init(ai, weight: QueueName.ai.weight)], redis: redis,
                    handlers: [RecordingHandler(jobType: "p", log: log), RecordingHandler(jobType: "a", log: log)],
                    deadLetters: DeadJobRepository(client: database, logger: TestEnvironment.logger), consumerName: "c1",
                    concurrency: 1, logger: TestEnvironment.logger
                )
                try await runUntil([consumer]) { log.all.count >= 80 }
                let runs = log.all
                #expect(runs.count == 80)
                let firstTwentyFive = runs.prefix(25)
                let publishFirst = firstTwentyFive.filter { $0 == "p" }.count
                #expect((17...23).contains(publishFirst), "publish ran \(publishFirst) of the first 25: \(runs)")
                #expect(firstTwentyFive.contains("a"), "ai starved: \(runs)")
                #expect(try await publish.pendingCount() == 0)
                #expect(try await ai.pendingCount() == 0)
            }
        }
    }

    @Test("a failing job is retried with backoff, keeps every attempt's error, and is buried when out of attempts")
    func retriesThenBuries() async throws {
        try await TestEnvironment.withDatabase { database, _ in
            try await TestEnvironment.withRedis { redis in
                let queue = JobQueue(name: .webhook, redis: redis)
                let organizationID = try await makeOrganization(database)
                let handler = RecordingHandler(jobType: "fail-attempts", retryPolicy: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20)))
                try await queue.prepare()
                try await queue.enqueue([Job(id: "j1", type: "fail-attempts", data: ["organization_id": organizationID.uuidString], requestID: nil)])
                let deadJobs = DeadJobRepository(client: database, logger: TestEnvironment.logger)
                let consumer = QueueConsumer(
                    queues: [.init(queue, weight: 1)], redis: redis, handlers: [handler], deadLetters: deadJobs,
                    consumerName: "c1", concurrency: 2, logger: TestEnvironment.logger
                )
                try await runUntil([consumer, DelayedJobPromoter(queue: queue, redis: redis, logger: TestEnvironment.logger)]) {
                    try await !deadJobs.list(organizationID: organizationID).isEmpty
                }
                #expect(handler.runs.count == 3)
                let dead = try #require(try await deadJobs.list(organizationID: organizationID).first)
                #expect(dead.lastError == "failed 3 times; last error: platform said no (attempt 2)")
                #expect(dead.job.errors == (0..<3).map { "platform said no (attempt \($0))" })
                #expect(dead.job.firstAttemptAt != nil)
                #expect(dead.queue == "webhook")
            }
        }
    }

    @Test("retries stop once the policy's maximum elapsed time is used up")
    func maximumElapsedTime() async throws {
        try await TestEnvironment.withDatabase { database, _ in
            try await TestEnvironment.withRedis { redis in
                let queue = JobQueue(name: .media, redis: redis)
                let organizationID = try await makeOrganization(database)
                let policy = RetryPolicy(maxAttempts: 1000, maxElapsed: .milliseconds(300), baseDelay: .milliseconds(40), maxDelay: .milliseconds(40))
                let handler = RecordingHandler(jobType: "fail-elapsed", retryPolicy: policy)
                try await queue.prepare()
                try await queue.enqueue([Job(id: "j2", type: "fail-elapsed", data: ["organization_id": organizationID.uuidString], requestID: nil)])
                let deadJobs = DeadJobRepository(client: database, logger: TestEnvironment.logger)
                let consumer = QueueConsumer(
                    queues: [.init(queue, weight: 1)], redis: redis, handlers: [handler], deadLetters: deadJobs,
                    consumerName: "c1", concurrency: 1, logger: TestEnvironment.logger
                )
                try await runUntil([consumer, DelayedJobPromoter(queue: queue, redis: redis, logger: TestEnvironment.logger)]) {
                    try await !deadJobs.list(organizationID: organizationID).isEmpty
                }
                let dead = try #require(try await deadJobs.list(organizationID: organizationID).first)
                #expect(dead.lastError.hasPrefix("still failing after"))
                // 40 ms ± 20 % between attempts within 300 ms: a few attempts (fewer on a busy machine), far fewer than 1,000.
                #expect((2...12).contains(handler.runs.count), "\(handler.runs.count) attempts")
            }
        }
    }

    @Test("the retry time honours the attempt count and the maximum elapsed time")
    func retryTime() {
        let policy = RetryPolicy(maxAttempts: 3, maxElapsed: .seconds(60), baseDelay: .seconds(10), maxDelay: .seconds(100))
        let start = Date(timeIntervalSince1970: 1_000_000)
        let first = policy.retryTime(afterAttempt: 0, firstAttemptAt: start, now: start)
        #expect(first.map { (8...12).contains($0.timeIntervalSince(start)) } == true)
        #expect(policy.retryTime(afterAttempt: 2, firstAttemptAt: start, now: start) == nil)
        #expect(policy.retryTime(afterAttempt: 1, firstAttemptAt: start, now: start.addingTimeInterval(50)) == nil)
    }
}
