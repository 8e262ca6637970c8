import Foundation
import SwiftProtobuf

// Short names for the generated messages this SDK works with.
typealias HistoryEvent = Temporal_Api_History_V1_HistoryEvent
typealias Command = Temporal_Api_Command_V1_Command
typealias Failure = Temporal_Api_Failure_V1_Failure
typealias WorkflowExecution = Temporal_Api_Common_V1_WorkflowExecution

extension Duration {
    var protobuf: Google_Protobuf_Duration {
        let (seconds, attoseconds) = components
        return Google_Protobuf_Duration(seconds: seconds, nanos: Int32(attoseconds / 1_000_000_000))
    }
}

extension Google_Protobuf_Duration {
    var duration: Duration { .seconds(seconds) + .nanoseconds(Int64(nanos)) }
}

/// A value that crosses into a task although the compiler cannot prove it safe: a workflow's state, which only the
/// thread running that workflow's activation touches (see WorkflowExecutor).
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
}
