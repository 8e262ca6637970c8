import ArgumentParser
import ArkyraCore
import ArkyraWorker
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// `make bench`'s tools: the queue measurements (the default) and a hello-world server, the framework's ceiling
/// next to which the API's own routes are measured.
@main
struct ArkyraBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arkyra-bench", abstract: "Benchmark tools (used by make bench).",
        subcommands: [QueueBench.self, HelloServer.self, TranscodeCommand.self, WorkflowWorkerBench.self], defaultSubcommand: QueueBench.self
    )
}

/// The queue measurements. Prints one JSON object per line: `{"name", "value", "unit"}`. Runs against the
/// Redis it is pointed at, under its own key prefix.
struct QueueBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue", abstract: "Queue benchmarks.")

    @Option(help: "Redis port.") var redisPort = 56379
    @Option(help: "Jobs for the bulk-enqueue measurement.") var enqueueJobs = 100_000
    @Option(help: "No-op jobs for the processing measurement.") var processJobs = 50_000
    @Option(help: "Delayed jobs for the lateness measurement.") var latenessJobs = 10_000
    @Option(help: "Seconds over which the delayed jobs are spread.") var latenessSpread = 20.0
    @Option(help: "Consumer concurrency.") var concurrency = 256

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let prefix = "bench-\(UUID().uuidString.prefix(8).lowercased())"
        let redisConfiguration = RedisConfiguration(port: redisPort, poolSize: 8, keyPrefix: prefix)
        let redis = RedisClient(configuration: redisConfiguration)
        let queue = JobQueue(name: .publish, redis: redis)
        try await queue.prepare()

        // 1. Bulk enqueue.
        let jobs = (0..<enqueueJobs).map { Job(id: "e\($0)", type: "noop", data: [:], requestID: nil) }
        let enqueueTime = try await ContinuousClock().measure { try await queue.enqueue(jobs) }
        report("queue_bulk_enqueue", Double(enqueueJobs) / enqueueTime.seconds, "jobs/s")
        try await redis.send(RedisCommand("DEL", .string(queue.keys.stream)))
        try await queue.prepare()

        // 2. Processing no-op jobs with one consumer.
        try await queue.enqueue((0..<processJobs).map { Job(id: "p\($0)", type: "noop", data: [:], requestID: nil) })
        let counter = Counter(target: processJobs)
        let processTime = try await runConsumer(queue: queue, redis: redis, handler: NoOp(counter: counter), counter: counter, logger: logger)
        report("queue_process", Double(processJobs) / processTime.seconds, "jobs/s")

        // 3. Scheduling lateness: delayed jobs spread over the window, promoted and started by a worker.
        let lateness = Lateness(target: latenessJobs)
        let start = Date().addingTimeInterval(2)
        for index in 0..<latenessJobs {
            let due = start.addingTimeInterval(latenessSpread * Double(index) / Double(latenessJobs))
            let job = Job(id: "l\(index)", type: "noop", data: ["due": String(due.timeIntervalSince1970)], requestID: nil)
            try await queue.schedule(job, at: due)
        }
        _ = try await runConsumer(
            queue: queue, redis: redis, handler: LatenessRecorder(lateness: lateness), counter: lateness.counter, logger: logger,
            promoter: true
        )
        let samples = lateness.sorted
        report("schedule_lateness_p50", samples[samples.count / 2] * 1000, "ms")
        report("schedule_lateness_p99", samples[samples.count * 99 / 100] * 1000, "ms")
        report("bench_process_peak_rss", Double(Self.peakRSSKiB()) / 1024, "MiB")

        // 4. Crash reclaim: a consumer takes 1,000 jobs and dies without a word (it never renews or
        // acknowledges); another worker with the default 10 s lease takes them over.
        try await redis.send(RedisCommand("DEL", .string(queue.keys.stream)))
        try await queue.prepare()
        try await queue.enqueue((0..<1000).map { Job(id: "c\($0)", type: "noop", data: [:], requestID: nil) })
        let doomed = try await redis.makeDedicatedConnection()
        let taken = try await queue.receive(on: doomed, consumer: "crashed", count: 1000, block: .seconds(1))
        await doomed.close()
        let crashedAt = Date()
        let reclaim = Lateness(target: taken.count)
        _ = try await runConsumer(queue: queue, redis: redis, handler: ReclaimRecorder(lateness: reclaim, since: crashedAt), counter: reclaim.counter, logger: logger)
        let reclaimSamples = reclaim.sorted
        report("crash_reclaim_p99", reclaimSamples[reclaimSamples.count * 99 / 100], "s")

        _ = try await redis.send(RedisCommand("DEL", .string(queue.keys.stream), .string(queue.keys.delayed), .string(queue.keys.payloads)))
        await redis.shutdown()
    }

    /// Runs a consumer (and optionally a promoter) until `counter` reaches its target; returns the time taken.
    func runConsumer(queue: JobQueue, redis: RedisClient, handler: any JobHandler, counter: Counter, logger: Logger,
                     promoter: Bool = false) async throws -> Duration {
        let consumer = QueueConsumer(
            queues: [.init(queue, weight: 1)], redis: redis, handlers: [handler], deadLetters: NoDeadLetters(), consumerName: "bench",
            concurrency: concurrency, logger: logger
        )
        var services: [any Service] = [consumer]
        if promoter { services.append(DelayedJobPromoter(queue: queue, redis: redis, logger: logger)) }
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        let clock = ContinuousClock()
        let start = clock.now
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await counter.done()
            let elapsed = clock.now - start
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return elapsed
        }
    }

    func report(_ name: String, _ value: Double, _ unit: String) {
        let rounded = (value * 100).rounded() / 100
        print(#"{"name":"\#(name)","value":\#(rounded),"unit":"\#(unit)"}"#)
    }

    static func peakRSSKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Counts finished jobs and wakes `done()` at the target.
final class Counter: Sendable {
    private let state: Mutex<(count: Int, waiter: CheckedContinuation<Void, Never>?)> = Mutex((0, nil))
    let target: Int

    init(target: Int) { self.target = target }

    func increment() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.count += 1
            guard state.count == target else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func done() async {
        await withCheckedContinuation { continuation in
            let finished = state.withLock { state -> Bool in
                if state.count >= target { return true }
                state.waiter = continuation
                return false
            }
            if finished { continuation.resume() }
        }
    }
}

struct NoOp: JobHandler {
    let jobType = "noop"
    let counter: Counter
    func handle(_ job: Job, context: JobContext) async throws { counter.increment() }
}

final class Lateness: Sendable {
    let counter: Counter
    private let samples = Mutex<[Double]>([])
    init(target: Int) { counter = Counter(target: target) }
    func record(_ seconds: Double) {
        samples.withLock { $0.append(seconds) }
        counter.increment()
    }
    var sorted: [Double] { samples.withLock { $0.sorted() } }
}

struct LatenessRecorder: JobHandler {
    let jobType = "noop"
    let lateness: Lateness
    func handle(_ job: Job, context: JobContext) async throws {
        let due = Double(job.data["due"] ?? "") ?? 0
        lateness.record(Date().timeIntervalSince1970 - due)
    }
}

struct ReclaimRecorder: JobHandler {
    let jobType = "noop"
    let lateness: Lateness
    let since: Date
    func handle(_ job: Job, context: JobContext) async throws {
        lateness.record(Date().timeIntervalSince(since))
    }
}

struct NoDeadLetters: DeadLetterStore {
    func bury(_ job: Job, queue: QueueName, deliveries: Int, error: String) async throws {}
}
