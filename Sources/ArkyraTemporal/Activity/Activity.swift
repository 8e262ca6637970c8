import Foundation
import Logging

/// An activity: the work a workflow hands out (publish, send an email, call a platform), run by an activity worker
/// with retries and timeouts from Temporal. Unlike workflow code it may do anything; it should be idempotent, as a
/// retry may run it again after a crash.
///
/// Workflows name an activity by its type (`context.execute(SchedulePosts.self, input, options: ...)`); the worker
/// holds an instance with whatever the work needs.
public protocol Activity: Sendable {
    associatedtype Input: Codable & Sendable = Empty
    associatedtype Output: Codable & Sendable = Empty
    static var name: String { get }
    func run(_ input: Input, context: ActivityContext) async throws -> Output
}

/// What a running activity may tell Temporal, and learn from it.
public final class ActivityContext: Sendable {
    public let activityType: String
    public let workflowID: String
    /// 1 on the first try, then 2, 3, ... on Temporal's retries.
    public let attempt: Int
    public let logger: Logger
    let heartbeatSender: @Sendable (Payloads?) async throws -> Bool

    init(activityType: String, workflowID: String, attempt: Int, logger: Logger,
         heartbeat: @escaping @Sendable (Payloads?) async throws -> Bool) {
        self.activityType = activityType
        self.workflowID = workflowID
        self.attempt = attempt
        self.logger = logger
        self.heartbeatSender = heartbeat
    }

    /// Says the activity is alive (needed within its heartbeat timeout); throws CancellationError when the workflow
    /// cancelled it, so long work stops at its next heartbeat.
    public func heartbeat(_ details: (any Encodable)? = nil) async throws {
        let payloads = try details.map { try PayloadConverter.payloads($0) }
        if try await heartbeatSender(payloads) { throw CancellationError() }
    }
}

/// An activity with its input and output erased, as the worker holds it.
struct ActivityType: Sendable {
    let name: String
    let run: @Sendable (Payloads?, ActivityContext) async throws -> Payload

    init<A: Activity>(_ activity: A) {
        name = A.name
        run = { input, context in
            try PayloadConverter.payload(try await activity.run(PayloadConverter.value(A.Input.self, from: input), context: context))
        }
    }
}
