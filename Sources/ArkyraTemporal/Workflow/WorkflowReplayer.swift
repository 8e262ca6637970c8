import Foundation
import Logging
import SwiftProtobuf

/// Replays a recorded history through today's workflow code, as a worker would after a deploy: the check that a
/// change to a workflow keeps open runs working. Histories are JSON as `TemporalClient.history`, the Temporal UI's
/// download, or `temporal workflow show --output json` write them.
public enum WorkflowReplayer {
    /// Throws when the code no longer takes the path the history recorded (the error a worker would fail the
    /// workflow task with).
    public static func replay(historyJSON: Data, workflows: [any Workflow.Type], logger: Logger = Logger(label: "arkyra.temporal.replay")) throws {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        let history = try Temporal_Api_History_V1_History(jsonUTF8Data: historyJSON, options: options)
        let types = Dictionary(workflows.map { type in (type.name, erase(type)) }) { first, _ in first }
        let context = try WorkflowContext.start(history.events, types: types, namespace: "replay", logger: logger)
        defer { context.evict() }
        let commands = try context.replay(history.events)
        let closed = history.events.last.map { closes($0.eventType) } ?? false
        if closed, let extra = commands.first {
            throw WorkflowReplayError("the code issued \(extra.commandType) after the point where the recorded run closed")
        }
    }

    private static func erase<W: Workflow>(_ type: W.Type) -> WorkflowType { WorkflowType(type) }

    private static func closes(_ type: Temporal_Api_Enums_V1_EventType) -> Bool {
        [.workflowExecutionCompleted, .workflowExecutionFailed, .workflowExecutionCanceled, .workflowExecutionTerminated,
         .workflowExecutionContinuedAsNew, .workflowExecutionTimedOut].contains(type)
    }
}
