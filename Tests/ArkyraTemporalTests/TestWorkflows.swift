import ArkyraTemporal
import Foundation
import Synchronization

/// Activities and workflows the SDK's tests run against the Temporal dev server.
struct Shout: Activity {
    static let name = "Shout"
    func run(_ input: String, context: ActivityContext) async throws -> String { input.uppercased() }
}

/// Fails with a non-retryable failure on "refuse", and with a retryable one on the first attempt otherwise.
struct Flaky: Activity {
    static let name = "Flaky"
    func run(_ input: String, context: ActivityContext) async throws -> Int {
        if input == "refuse" { throw ApplicationFailure("refused on purpose", type: "Refused", nonRetryable: true) }
        if context.attempt == 1 { throw ApplicationFailure("first attempt fails", type: "Transient") }
        return context.attempt
    }
}

/// Shouts the name, waits for an "approve" signal (or 30 s), sleeps a second of workflow time, greets.
final class Greeting: Workflow {
    static let name = "Greeting"
    struct State: Codable, Equatable { var step: String; var approvals: Int }

    let context: WorkflowContext
    let name: String
    var state = State(step: "started", approvals: 0)

    init(context: WorkflowContext, input: String) {
        self.context = context
        self.name = input
        context.onSignal("approve", as: Bool.self) { [unowned self] approved in if approved { state.approvals += 1 } }
        context.onQuery("state") { [unowned self] in state }
    }

    func run() async throws -> String {
        let shouted = try await context.execute(Shout.self, name, options: ActivityOptions(startToCloseTimeout: .seconds(10)))
        state.step = "waiting"
        let approved = try await context.condition(timeout: .seconds(30)) { [unowned self] in state.approvals > 0 }
        state.step = approved ? "approved" : "timed out"
        try await context.sleep(for: .seconds(1))
        let retried = try await context.execute(
            Flaky.self, "retry", options: ActivityOptions(startToCloseTimeout: .seconds(10), retry: RetryPolicy(initialInterval: .milliseconds(100)))
        )
        state.step = "done"
        return "Hello, \(shouted) (\(state.step), \(retried) attempts, \(approved ? "approved" : "not approved"))"
    }
}

/// The same workflow type with a different first step: what a careless deploy looks like.
final class GreetingChanged: Workflow {
    static let name = "Greeting"
    let context: WorkflowContext
    init(context: WorkflowContext, input: String) { self.context = context }
    func run() async throws -> String {
        try await context.sleep(for: .seconds(1))
        return "changed"
    }
}

/// A workflow whose activity fails for good: the workflow fails with the cause in words.
final class Refusing: Workflow {
    static let name = "Refusing"
    let context: WorkflowContext
    init(context: WorkflowContext, input: Empty) { self.context = context }
    func run() async throws -> Empty {
        _ = try await context.execute(Flaky.self, "refuse", options: ActivityOptions(startToCloseTimeout: .seconds(10)))
        return Empty()
    }
}

/// Version 1 of a workflow: one activity.
final class Patchable: Workflow {
    static let name = "Patchable"
    let context: WorkflowContext
    init(context: WorkflowContext, input: String) { self.context = context }
    func run() async throws -> String {
        try await context.execute(Shout.self, "old", options: ActivityOptions(startToCloseTimeout: .seconds(10)))
    }
}

/// Version 2: the activity's input changed under patch "quieter"; runs from version 1 keep the old path.
final class PatchableV2: Workflow {
    static let name = "Patchable"
    let context: WorkflowContext
    init(context: WorkflowContext, input: String) { self.context = context }
    func run() async throws -> String {
        if context.patched("quieter") {
            let first = try await context.execute(Shout.self, "new", options: ActivityOptions(startToCloseTimeout: .seconds(10)))
            return first.lowercased()
        }
        return try await context.execute(Shout.self, "old", options: ActivityOptions(startToCloseTimeout: .seconds(10)))
    }
}

/// Counts down by continuing as new: each run handles one number.
final class Countdown: Workflow {
    static let name = "Countdown"
    let context: WorkflowContext
    let from: Int
    init(context: WorkflowContext, input: Int) { self.context = context; self.from = input }
    func run() async throws -> String {
        if from > 0 { throw try ContinueAsNew(input: from - 1) }
        return "liftoff"
    }
}

/// Heartbeats every 100 ms until the workflow cancels it (its heartbeat then throws), for at most 30 s.
struct Dawdle: Activity {
    static let name = "Dawdle"
    /// The workflows whose Dawdle has started (the history records the start only once the activity ends).
    static let started = Mutex<Set<String>>([])
    /// The workflows whose Dawdle heard its cancellation at a heartbeat.
    static let cancelled = Mutex<Set<String>>([])

    func run(_ input: Empty, context: ActivityContext) async throws -> String {
        _ = Self.started.withLock { $0.insert(context.workflowID) }
        do {
            for _ in 0..<300 {
                try await context.heartbeat()
                try await Task.sleep(for: .milliseconds(100))
            }
        } catch is CancellationError {
            _ = Self.cancelled.withLock { $0.insert(context.workflowID) }
            throw CancellationError()
        }
        return "never cancelled"
    }
}

/// Sleeps `input` seconds without a heartbeat.
struct Silent: Activity {
    static let name = "Silent"
    func run(_ input: Int, context: ActivityContext) async throws -> Empty {
        try await Task.sleep(for: .seconds(input))
        return Empty()
    }
}

/// A child: shouts its input.
final class Echo: Workflow {
    static let name = "Echo"
    let context: WorkflowContext
    let text: String
    init(context: WorkflowContext, input: String) { self.context = context; self.text = input }
    func run() async throws -> String {
        try await context.execute(Shout.self, text, options: ActivityOptions(startToCloseTimeout: .seconds(10)))
    }
}

/// A parent: records a side effect, upserts its memo and a search attribute, runs a child, then fails to start a
/// second child under the first one's id.
final class Family: Workflow {
    static let name = "Family"
    struct Output: Codable, Equatable { var token: String; var child: String; var duplicate: String }
    let context: WorkflowContext
    let organization: String
    init(context: WorkflowContext, input: String) { self.context = context; self.organization = input }
    func run() async throws -> Output {
        // A value from outside the workflow's deterministic world, made once and read back from the history.
        let token = try context.sideEffect { UUID().uuidString }
        try context.upsertMemo(["stage": "children"])
        context.upsertSearchAttributes(["ArkyraOrganization": organization])
        let childID = "\(context.info.workflowID)-child"
        let options = ChildWorkflowOptions(searchAttributes: ["ArkyraOrganization": organization])
        let child = try await context.executeChild(Echo.self, id: childID, input: "kid", options: options)
        var duplicate = "started"
        do {
            _ = try await context.executeChild(Echo.self, id: childID, input: "twin", options: options)
        } catch let failure as ChildWorkflowFailure {
            duplicate = failure.type
        }
        try context.upsertMemo(["stage": "done"])
        return Output(token: token, child: child, duplicate: duplicate)
    }
}

/// Races a heartbeating activity and an hour's timer against a "stop" signal: the signal wins and cancels both.
/// Then runs a silent activity past its heartbeat timeout. (Sendable unchecked so that its task group's tasks may
/// read `stopped`: every task of a run runs on the run's one thread, WorkflowExecutor.)
final class Race: Workflow, @unchecked Sendable {
    static let name = "Race"
    let context: WorkflowContext
    var stopped = false
    init(context: WorkflowContext, input: Empty) {
        self.context = context
        context.onSignal("stop", as: Empty.self) { [unowned self] _ in stopped = true }
    }

    func run() async throws -> [String] {
        var outcomes: [String] = []
        let context = context
        try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                do {
                    return try await context.execute(Dawdle.self, Empty(), options: ActivityOptions(startToCloseTimeout: .seconds(60), heartbeatTimeout: .seconds(5)))
                } catch is CancellationError { return "activity cancelled" }
            }
            group.addTask {
                do {
                    try await context.sleep(for: .seconds(3600))
                    return "timer fired"
                } catch is CancellationError { return "timer cancelled" }
            }
            group.addTask { [unowned self] in
                try await context.condition { [unowned self] in stopped }
                return "stop signalled"
            }
            outcomes.append(try await group.next() ?? "")
            group.cancelAll()
            while let outcome = try await group.next() { outcomes.append(outcome) }
        }
        do {
            _ = try await context.execute(Silent.self, 5, options: ActivityOptions(
                startToCloseTimeout: .seconds(30), heartbeatTimeout: .seconds(1), retry: RetryPolicy(maximumAttempts: 1)))
            outcomes.append("silent finished")
        } catch let failure as ActivityFailure {
            outcomes.append(failure.type)
        }
        return outcomes
    }
}

/// Version 2 done wrong: the first step changed without `patched`.
final class PatchableUnguarded: Workflow {
    static let name = "Patchable"
    let context: WorkflowContext
    init(context: WorkflowContext, input: String) { self.context = context }
    func run() async throws -> String {
        try await context.sleep(for: .seconds(1))
        return try await context.execute(Shout.self, "new", options: ActivityOptions(startToCloseTimeout: .seconds(10)))
    }
}
