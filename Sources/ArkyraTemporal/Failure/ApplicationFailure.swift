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

/// What a workflow sees when an activity it waited for failed for good (after its retries), timed out, or was
/// cancelled: the activity and the cause in Temporal's words.
public struct ActivityFailure: Error, CustomStringConvertible, Sendable {
    public let activityType: String
    public let message: String
    /// The cause's type: the ApplicationFailure's `type`, or "timeout" / "cancelled".
    public let type: String

    init(activityType: String, failure: Failure) {
        self.activityType = activityType
        var cause = failure
        while cause.hasCause, cause.failureInfo == nil || cause.message.isEmpty { cause = cause.cause }
        message = cause.message.isEmpty ? failure.message : cause.message
        switch cause.failureInfo {
        case .applicationFailureInfo(let info): type = info.type
        case .timeoutFailureInfo(let info): type = "timeout (\(info.timeoutType))"
        case .canceledFailureInfo: type = "cancelled"
        default: type = "failure"
        }
    }

    public var description: String { "activity \(activityType) failed: \(type): \(message)" }
}
