import Foundation

/// A failure that code chooses to report: from an activity (retried unless `nonRetryable`, or unless its `type` is
/// in the retry policy's non-retryable types) or from a workflow (which then fails). Temporal shows `type` and
/// `message`; other SDKs read it as their ApplicationError.
public struct ApplicationFailure: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var type: String
    public var nonRetryable: Bool

    public init(_ message: String, type: String = "ApplicationFailure", nonRetryable: Bool = false) {
        self.message = message
        self.type = type
        self.nonRetryable = nonRetryable
    }

    public var description: String { "\(type): \(message)" }

    /// Any Swift error as Temporal's failure message: an ApplicationFailure as itself, others by their type's name.
    static func failure(from error: any Error) -> Failure {
        let application = error as? ApplicationFailure
            ?? ApplicationFailure(String(describing: error), type: String(describing: Swift.type(of: error)))
        var failure = Failure()
        failure.message = application.message
        failure.source = "ArkyraTemporal"
        var info = Temporal_Api_Failure_V1_ApplicationFailureInfo()
        info.type = application.type
        info.nonRetryable = application.nonRetryable
        failure.applicationFailureInfo = info
        return failure
    }
}

/// What a workflow sees when an activity it waited for failed for good (after its retries) or timed out: the
/// activity and the cause in Temporal's words.
public struct ActivityFailure: Error, CustomStringConvertible, Sendable {
    public let activityType: String
    public let message: String
    /// The cause's type: the ApplicationFailure's `type`, or "timeout (…)" / "cancelled".
    public let type: String

    init(activityType: String, failure: Failure) {
        self.activityType = activityType
        (message, type) = Self.cause(of: failure)
    }

    public var description: String { "activity \(activityType) failed: \(type): \(message)" }

    /// The innermost cause that says something, and its type.
    static func cause(of failure: Failure) -> (message: String, type: String) {
        var cause = failure
        while cause.hasCause, cause.failureInfo == nil || cause.message.isEmpty { cause = cause.cause }
        let message = cause.message.isEmpty ? failure.message : cause.message
        switch cause.failureInfo {
        case .applicationFailureInfo(let info): return (message, info.type)
        case .timeoutFailureInfo(let info): return (message, "timeout (\(info.timeoutType))")
        case .canceledFailureInfo: return (message, "cancelled")
        case .terminatedFailureInfo: return (message, "terminated")
        default: return (message, "failure")
        }
    }
}

/// What a workflow sees when a child workflow it waited for could not start, failed, timed out or was terminated.
public struct ChildWorkflowFailure: Error, CustomStringConvertible, Sendable {
    public let workflowType: String
    public let workflowID: String
    public let message: String
    /// The cause's type: the child's ApplicationFailure `type`, "already_started", "timeout" or "terminated".
    public let type: String

    init(workflowType: String, workflowID: String, message: String, type: String) {
        self.workflowType = workflowType
        self.workflowID = workflowID
        self.message = message
        self.type = type
    }

    init(workflowType: String, workflowID: String, failure: Failure) {
        let (message, type) = ActivityFailure.cause(of: failure)
        self.init(workflowType: workflowType, workflowID: workflowID, message: message, type: type)
    }

    public var description: String { "child workflow \(workflowType) \(workflowID) failed: \(type): \(message)" }
}
