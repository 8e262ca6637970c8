import Foundation

extension WorkflowContext {
    /// Starts workflow `W` as a child of this run, with workflow id `id` (make it from the parent's input or
    /// `uuid()`, so a replay starts the same child), and waits for its result. The child has a history of its own,
    /// answers its own signals and queries, and ends by `options.parentClosePolicy` if the parent closes first.
    /// Throws ChildWorkflowFailure when it could not start (the id is taken), failed, timed out or was terminated;
    /// cancelling the waiting Swift task asks Temporal to cancel the child and throws CancellationError at once.
    public func executeChild<W: Workflow>(_ type: W.Type, id: String, input: W.Input, options: ChildWorkflowOptions = ChildWorkflowOptions())
        async throws -> W.Output
    {
        try checkRunning()
        try Task.checkCancellation()
        var attributes = Temporal_Api_Command_V1_StartChildWorkflowExecutionCommandAttributes()
        attributes.namespace = info.namespace
        attributes.workflowID = id
        attributes.workflowType.name = W.name
        attributes.taskQueue.name = options.taskQueue ?? info.taskQueue
        attributes.input = try PayloadConverter.payloads(input)
        attributes.parentClosePolicy = options.parentClosePolicy.protobuf
        attributes.workflowIDReusePolicy = .rejectDuplicate
        if let timeout = options.executionTimeout { attributes.workflowExecutionTimeout = timeout.protobuf }
        if !options.searchAttributes.isEmpty {
            attributes.searchAttributes = PayloadConverter.keywordSearchAttributes(options.searchAttributes)
        }
        var command = Command()
        command.commandType = .startChildWorkflowExecution
        command.startChildWorkflowExecutionCommandAttributes = attributes
        commands.append(command)
        let payload: Payload? = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                children[id] = Pending(type: W.name) { continuation.resume(with: $0) }
            }
        } onCancel: {
            self.cancelChild(id)
        }
        return try PayloadConverter.value(W.Output.self, from: payload)
    }
}

/// How a child workflow runs.
public struct ChildWorkflowOptions: Sendable {
    /// What happens to the child when the parent closes before it.
    public enum ParentClosePolicy: Sendable {
        case terminate, requestCancel, abandon

        var protobuf: Temporal_Api_Enums_V1_ParentClosePolicy {
            switch self {
            case .terminate: .terminate
            case .requestCancel: .requestCancel
            case .abandon: .abandon
            }
        }
    }

    public var taskQueue: String?
    public var parentClosePolicy: ParentClosePolicy
    public var executionTimeout: Duration?
    /// Keyword search attributes of the child (e.g. the organization, so it is listed with its parent).
    public var searchAttributes: [String: String]

    public init(taskQueue: String? = nil, parentClosePolicy: ParentClosePolicy = .requestCancel, executionTimeout: Duration? = nil,
                searchAttributes: [String: String] = [:]) {
        self.taskQueue = taskQueue
        self.parentClosePolicy = parentClosePolicy
        self.executionTimeout = executionTimeout
        self.searchAttributes = searchAttributes
    }
}
