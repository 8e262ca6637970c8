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
    var activities: [String: Pending<Payload?>] = [:]
    var scheduledActivities: [Int64: String] = [:]
    var children: [String: Pending<Payload?>] = [:]
    var initiatedChildren: [Int64: String] = [:]
    var timers: [String: (Result<Void, any Error>) -> Void] = [:]
    var conditions: [(id: Int, check: () -> Bool, resolve: (Result<Bool, any Error>) -> Void)] = []
    var signalHandlers: [String: (Payloads?) -> Void] = [:]
    var bufferedSignals: [(name: String, input: Payloads?)] = []
    var queryHandlers: [String: () throws -> Payload] = [:]
    var patches: [String: Bool] = [:]
    /// The markers the task being replayed recorded: its patches and its side effects' values.
    var patchesOfThisTask: Set<String> = []
    var sideEffectsOfThisTask: [Int: Payloads] = [:]
    /// Set when the code and the history disagree where the code cannot throw it (a side effect missing on
    /// replay): the activation then fails the workflow task instead of the run.
    var divergence: String?
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
    /// Throws ActivityFailure when it failed for good or timed out. Cancelling the Swift task that waits (a task
    /// group's `cancelAll()`, the run's cancellation) asks Temporal to cancel the activity, whose next heartbeat
    /// then throws, and throws CancellationError here at once.
    public func execute<A: Activity>(_ activity: A.Type, _ input: A.Input, options: ActivityOptions) async throws -> A.Output {
        try checkRunning()
        try Task.checkCancellation()
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
        let payload: Payload? = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                activities[id] = Pending(type: A.name) { continuation.resume(with: $0) }
            }
        } onCancel: {
            self.cancelActivity(id)
        }
        return try PayloadConverter.value(A.Output.self, from: payload)
    }

    // MARK: Timers and conditions

    /// Waits `duration` of workflow time (a durable timer: it survives restarts and deploys). Cancelling the waiting
    /// Swift task cancels the timer and throws CancellationError.
    public func sleep(for duration: Duration) async throws {
        try checkRunning()
        try Task.checkCancellation()
        let id = startTimer(duration)
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                timers[id] = { continuation.resume(with: $0) }
            }
        } onCancel: {
            self.cancelSleep(id)
        }
    }

    /// Waits until `check` is true (it is asked again after every event: a signal, an activity's result), or until
    /// `timeout` passes. True when the condition held, false on the timeout.
    /// Cancelling the waiting Swift task ends the wait with CancellationError.
    @discardableResult
    public func condition(timeout: Duration? = nil, _ check: @escaping () -> Bool) async throws -> Bool {
        try checkRunning()
        try Task.checkCancellation()
        if check() { return true }
        let conditionID = takeSequence()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Bool, any Error>) in
                // Either the condition or its timer ends the wait (a cancellation reaches both).
                let once = ResumeOnce(continuation)
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
                    if let timer, timers.removeValue(forKey: timer) != nil, !evicted { cancelTimer(timer) }
                    once.resume(with: result)
                }))
            }
        } onCancel: {
            self.cancelCondition(conditionID)
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

    // MARK: Visibility

    /// Sets Keyword search attributes of the run (they must be registered on the server), so that lists can
    /// filter by what the run has reached.
    public func upsertSearchAttributes(_ attributes: [String: String]) {
        var command = Command()
        command.commandType = .upsertWorkflowSearchAttributes
        command.upsertWorkflowSearchAttributesCommandAttributes.searchAttributes = PayloadConverter.keywordSearchAttributes(attributes)
        commands.append(command)
    }

    /// Sets fields of the run's memo (JSON strings that lists and the UI show without asking the workflow).
    public func upsertMemo(_ memo: [String: String]) throws {
        var command = Command()
        command.commandType = .modifyWorkflowProperties
        for (name, value) in memo {
            command.modifyWorkflowPropertiesCommandAttributes.upsertedMemo.fields[name] = try PayloadConverter.payload(value)
        }
        commands.append(command)
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

    /// The value `body` makes the first time the run gets here, recorded in the history and returned from it on
    /// every replay: for a value the code must not compute again (an id from outside, a reading of the clock).
    /// `body` must not wait or fail for a reason that could differ the next time.
    public func sideEffect<T: Codable>(_ body: () throws -> T) throws -> T {
        let id = takeSequence()
        let value: T
        if isReplaying {
            guard let recorded = sideEffectsOfThisTask[id] else {
                divergence = "the code made side effect \(id) where the history recorded none"
                throw CancellationError()
            }
            value = try PayloadConverter.value(T.self, from: recorded)
        } else {
            value = try body()
        }
        var attributes = Temporal_Api_Command_V1_RecordMarkerCommandAttributes()
        attributes.markerName = Self.sideEffectMarker
        attributes.details["id"] = try PayloadConverter.payloads(id)
        attributes.details["data"] = try PayloadConverter.payloads(value)
        var command = Command()
        command.commandType = .recordMarker
        command.recordMarkerCommandAttributes = attributes
        commands.append(command)
        return value
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
    static let sideEffectMarker = "arkyra_side_effect"
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
