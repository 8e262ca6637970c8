import Foundation

/// A workflow: Swift code that Temporal runs durably. Its `run()` may only wait on what its `WorkflowContext` offers
/// (activities, timers, conditions); it is replayed from the run's history after a restart, so it must make the same
/// decisions each time: no clocks, random numbers, `Task.sleep`, network or database of its own — the context's
/// `now`, `random()` and activities instead.
///
/// `init` registers the signal and query handlers (`context.onSignal`, `context.onQuery`); `run()` does the work.
public protocol Workflow: AnyObject {
    associatedtype Input: Codable & Sendable = Empty
    associatedtype Output: Codable & Sendable = Empty
    /// The workflow type's name in Temporal: what clients start and the UI shows.
    static var name: String { get }
    init(context: WorkflowContext, input: Input) throws
    func run() async throws -> Output
}

/// Thrown from `run()` to continue as a new run of the same workflow with `input` (bounding the history).
public struct ContinueAsNew: Error {
    let input: Payloads

    public init(input: some Encodable) throws {
        self.input = try PayloadConverter.payloads(input)
    }
}

/// A workflow type with its input and output erased, as the worker holds it.
struct WorkflowType: Sendable {
    let name: String
    /// Makes the workflow from its input (kept by the context until the run is evicted, so that handlers that
    /// hold it unowned outlive its `run()`) and returns its run with the output as a payload.
    let make: @Sendable (WorkflowContext, Payloads?) throws -> Unchecked<() async throws -> Payload>

    init<W: Workflow>(_ type: W.Type) {
        name = W.name
        make = { context, payloads in
            let workflow = try W(context: context, input: PayloadConverter.value(W.Input.self, from: payloads))
            context.workflow = workflow
            return Unchecked(value: { try PayloadConverter.payload(try await workflow.run()) })
        }
    }
}

/// Who the run is, from its first event.
public struct WorkflowInfo: Sendable {
    public let workflowID: String
    public let runID: String
    public let workflowType: String
    public let taskQueue: String
    public let namespace: String
    public let attempt: Int
    public let startTime: Date
}
