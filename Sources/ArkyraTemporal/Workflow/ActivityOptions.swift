import Foundation

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
