import Foundation
import Logging

/// What a workflow's code may use: every call here is recorded in, or answered from, the run's history, so a replay
/// takes the same path. One context per run; it is touched only by the thread running that run's activation.
public final class WorkflowContext: @unchecked Sendable {
    public let info: WorkflowInfo
    public let logger: Logger
    /// The time of the workflow task being run: the same on replay as when it first ran.
    public internal(set) var now: Date
    /// True while the activation replays history that was already answered once.
    public internal(set) var isReplaying = true

    // The replay's state (WorkflowContext+Replay.swift).
    let executor = WorkflowExecutor()
    var commands: [Command] = []
    var confirmedCommands = 0
    var nextSequence = 1
    var activities: [String: (activityType: String, resolve: (Result<Payload?, any Error>) -> Void)] = [:]
    var scheduledActivities: [Int64: String] = [:]
    var timers: [String: (Result<Void, any Error>) -> Void] = [:]
    var conditions: [(id: Int, check: () -> Bool, resolve: (Result<Bool, any Error>) -> Void)] = []
    var signalHandlers: [String: (Payloads?) -> Void] = [:]
    var bufferedSignals: [(name: String, input: Payloads?)] = []
    var queryHandlers: [String: () throws -> Payload] = [:]
    var patches: [String: Bool] = [:]
    var patchesOfThisTask: Set<String> = []
    var randomState: UInt64
    var finished = false
    var cancelRequested = false
    var evicted = false
    var mainTask: Task<Void, Never>?
    var workflow: AnyObject?

    init(info: WorkflowInfo, logger: Logger) {
        self.info = info
        self.now = info.startTime
        var logger = logger
        logger[metadataKey: "workflow_id"] = "\(info.workflowID)"
        logger[metadataKey: "run_id"] = "\(info.runID)"
        self.logger = logger
        // Seeded from the run, so every replay draws the same numbers.
        randomState = info.runID.utf8.reduce(14_695_981_039_346_656_037) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
    }

    // MARK: Activities

    /// Runs activity `A` (on the workflow's task queue unless `options` names another) and waits for its result.
    /// Throws ActivityFailure when it failed for good, timed out or was cancelled.
    public func execute<A: Activity>(_ activity: A.Type, _ input: A.Input, options: ActivityOptions) async throws -> A.Output {
        try checkRunning()
        let id = "\(takeSequence())"
        var attributes = Temporal_Api_Command_V1_ScheduleActivityTaskCommandAttributes()
        attributes.activityID = id
        attributes.activityType.name = A.name
        attributes.taskQueue.name = options.taskQueue ?? info.taskQueue
        attributes.input = try PayloadConverter.payloads(input)
        if let timeout = options.scheduleToCloseTimeout { attributes.scheduleToCloseTimeout = timeout.protobuf }
        if let timeout = options.startToCloseTimeout { attributes.startToCloseTimeout = timeout.protobuf }
        if let timeout = options.heartbeatTimeout { attributes.heartbeatTimeout = timeout.protobuf }
        if let retry = options.retry { attributes.retryPolicy = retry.protobuf }
        var command = Command()
        command.commandType = .scheduleActivityTask
        command.scheduleActivityTaskCommandAttributes = attributes
        commands.append(command)
        let payload: Payload? = try await withCheckedThrowingContinuation { continuation in
            activities[id] = (A.name, { continuation.resume(with: $0) })
        }
        return try PayloadConverter.value(A.Output.self, from: payload)
    }

    // MARK: Timers and conditions

    /// Waits `duration` of workflow time (a durable timer: it survives restarts and deploys).
    public func sleep(for duration: Duration) async throws {
        try checkRunning()
        let id = startTimer(duration)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            timers[id] = { continuation.resume(with: $0) }
        }
    }

    /// Waits until `check` is true (it is asked again after every event: a signal, an activity's result), or until
    /// `timeout` passes. True when the condition held, false on the timeout.
    @discardableResult
    public func condition(timeout: Duration? = nil, _ check: @escaping () -> Bool) async throws -> Bool {
        try checkRunning()
        if check() { return true }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Bool, any Error>) in
            // Either the condition or its timer ends the wait (a cancellation reaches both).
            let once = ResumeOnce(continuation)
            let conditionID = takeSequence()
            var timer: String?
            if let timeout {
                let id = startTimer(timeout)
                timer = id
                timers[id] = { [unowned self] result in
                    conditions.removeAll { $0.id == conditionID }
                    once.resume(with: result.map { false })
                }
            }
            conditions.append((conditionID, check, { [unowned self] result in
                if let timer, timers.removeValue(forKey: timer) != nil, case .success = result { cancelTimer(timer) }
                once.resume(with: result)
            }))
        }
    }

    // MARK: Signals and queries

    /// Calls `handler` with each signal `name` the run receives, in the order of its history. A signal whose input is
    /// not a `T` is logged and dropped; signals that arrived before the handler was registered are delivered now.
    public func onSignal<T: Decodable>(_ name: String, as type: T.Type = T.self, _ handler: @escaping (T) -> Void) {
        signalHandlers[name] = { [logger] input in
            do {
                handler(try PayloadConverter.value(T.self, from: input))
            } catch {
                logger.warning("dropped signal \(name): \(error)")
            }
        }
        let waiting = bufferedSignals.filter { $0.name == name }
        bufferedSignals.removeAll { $0.name == name }
        for signal in waiting { signalHandlers[name]?(signal.input) }
    }

    /// Answers query `name` with what `handler` returns; it must only read the workflow's state.
    public func onQuery<T: Encodable>(_ name: String, _ handler: @escaping () throws -> T) {
        queryHandlers[name] = { try PayloadConverter.payload(try handler()) }
    }

    // MARK: Determinism

    /// Whether this run takes the code path added under patch `id`. A run that got past this point before the patch
    /// was deployed replays on the old path (false); new runs, and runs reaching it after the deploy, take the new
    /// one (true, recorded in the history). Remove the old path once no run that started before is open.
    public func patched(_ id: String) -> Bool {
        if let decided = patches[id] { return decided }
        let takesNewPath = !isReplaying || patchesOfThisTask.contains(id)
        patches[id] = takesNewPath
        if takesNewPath {
            var attributes = Temporal_Api_Command_V1_RecordMarkerCommandAttributes()
            attributes.markerName = Self.patchMarker
            attributes.details["patch_id"] = try? PayloadConverter.payloads(id)
            var command = Command()
            command.commandType = .recordMarker
            command.recordMarkerCommandAttributes = attributes
            commands.append(command)
        }
        return takesNewPath
    }

    /// A random number that replays the same (seeded from the run; SplitMix64).
    public func random() -> UInt64 {
        randomState &+= 0x9E37_79B9_7F4A_7C15
        var z = randomState
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A version 4 UUID from `random()`.
    public func uuid() -> UUID {
        var bytes = withUnsafeBytes(of: random()) { Array($0) } + withUnsafeBytes(of: random()) { Array($0) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    static let patchMarker = "arkyra_patch"
}

/// When an activity may run and how it is retried.
public struct ActivityOptions: Sendable {
    public var taskQueue: String?
    public var scheduleToCloseTimeout: Duration?
    public var startToCloseTimeout: Duration?
    public var heartbeatTimeout: Duration?
    public var retry: RetryPolicy?

    public init(taskQueue: String? = nil, scheduleToCloseTimeout: Duration? = nil, startToCloseTimeout: Duration? = nil,
                heartbeatTimeout: Duration? = nil, retry: RetryPolicy? = nil) {
        precondition(scheduleToCloseTimeout != nil || startToCloseTimeout != nil, "an activity needs a schedule-to-close or start-to-close timeout")
        self.taskQueue = taskQueue
        self.scheduleToCloseTimeout = scheduleToCloseTimeout
        self.startToCloseTimeout = startToCloseTimeout
        self.heartbeatTimeout = heartbeatTimeout
        self.retry = retry
    }
}

/// Temporal's retry policy: intervals growing by `backoffCoefficient` up to `maximumInterval`, at most
/// `maximumAttempts` (0: unlimited), never for the failure types named non-retryable.
public struct RetryPolicy: Sendable {
    public var initialInterval: Duration
    public var backoffCoefficient: Double
    public var maximumInterval: Duration?
    public var maximumAttempts: Int
    public var nonRetryableErrorTypes: [String]

    public init(initialInterval: Duration = .seconds(1), backoffCoefficient: Double = 2, maximumInterval: Duration? = nil,
                maximumAttempts: Int = 0, nonRetryableErrorTypes: [String] = []) {
        self.initialInterval = initialInterval
        self.backoffCoefficient = backoffCoefficient
        self.maximumInterval = maximumInterval
        self.maximumAttempts = maximumAttempts
        self.nonRetryableErrorTypes = nonRetryableErrorTypes
    }

    var protobuf: Temporal_Api_Common_V1_RetryPolicy {
        var policy = Temporal_Api_Common_V1_RetryPolicy()
        policy.initialInterval = initialInterval.protobuf
        policy.backoffCoefficient = backoffCoefficient
        if let maximumInterval { policy.maximumInterval = maximumInterval.protobuf }
        policy.maximumAttempts = Int32(maximumAttempts)
        policy.nonRetryableErrorTypes = nonRetryableErrorTypes
        return policy
    }
}

/// A continuation two callbacks may race to resume; the first wins.
final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private var continuation: CheckedContinuation<T, any Error>?
    init(_ continuation: CheckedContinuation<T, any Error>) { self.continuation = continuation }
    func resume(with result: Result<T, any Error>) {
        continuation?.resume(with: result)
        continuation = nil
    }
}
