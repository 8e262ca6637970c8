import ArkyraTemporal
import Foundation

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
