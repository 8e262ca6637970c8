import Foundation
import Logging

/// Polls an activity task queue and runs the activities it holds, `concurrency` at a time: each task's result, or
/// its failure (retryable unless an ApplicationFailure says otherwise), goes back to Temporal, which retries by the
/// workflow's policy. Stops polling when its task is cancelled; activities already running finish first.
public struct ActivityWorker: Sendable {
    let service: WorkflowService
    let taskQueue: String
    let activities: [String: ActivityType]
    let concurrency: Int
    let logger: Logger

    public init(service: WorkflowService, taskQueue: String, activities: [any Activity], concurrency: Int = 4, logger: Logger) {
        self.service = service
        self.taskQueue = taskQueue
        self.activities = Dictionary(activities.map { activity in (type(of: activity).name, Self.erase(activity)) }) { first, _ in first }
        self.concurrency = max(1, concurrency)
        self.logger = logger
    }

    private static func erase(_ activity: some Activity) -> ActivityType { ActivityType(activity) }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for _ in 0..<concurrency {
                group.addTask { await poll() }
            }
        }
    }

    private func poll() async {
        var request = Temporal_Api_Workflowservice_V1_PollActivityTaskQueueRequest()
        request.namespace = service.configuration.namespace
        request.taskQueue.name = taskQueue
        request.identity = service.configuration.identity
        await pollUntilCancelled("polling activity task queue \(taskQueue)", logger: logger) {
            let task: Temporal_Api_Workflowservice_V1_PollActivityTaskQueueResponse =
                try await service.call("PollActivityTaskQueue", request, poll: true)
            // An empty answer: the long poll ended without work.
            guard !task.taskToken.isEmpty else { return }
            await execute(task)
        }
    }

    private func execute(_ task: Temporal_Api_Workflowservice_V1_PollActivityTaskQueueResponse) async {
        var logger = logger
        logger[metadataKey: "activity"] = "\(task.activityType.name)"
        logger[metadataKey: "workflow_id"] = "\(task.workflowExecution.workflowID)"
        let token = task.taskToken
        let context = ActivityContext(
            activityType: task.activityType.name, workflowID: task.workflowExecution.workflowID, attempt: Int(task.attempt),
            logger: logger
        ) { [service] details in
            var request = Temporal_Api_Workflowservice_V1_RecordActivityTaskHeartbeatRequest()
            request.namespace = service.configuration.namespace
            request.taskToken = token
            request.identity = service.configuration.identity
            if let details { request.details = details }
            let response: Temporal_Api_Workflowservice_V1_RecordActivityTaskHeartbeatResponse =
                try await service.call("RecordActivityTaskHeartbeat", request)
            return response.cancelRequested
        }
        let outcome: Result<Payload, any Error>
        do {
            guard let activity = activities[task.activityType.name] else {
                throw ApplicationFailure(
                    "this worker has no activity \(task.activityType.name) (it has: \(activities.keys.sorted().joined(separator: ", ")))",
                    type: "ActivityNotRegistered"
                )
            }
            outcome = .success(try await activity.run(task.hasInput ? task.input : nil, context))
        } catch {
            outcome = .failure(error)
        }
        do {
            switch outcome {
            case .success(let output):
                var request = Temporal_Api_Workflowservice_V1_RespondActivityTaskCompletedRequest()
                request.namespace = service.configuration.namespace
                request.taskToken = token
                request.identity = service.configuration.identity
                request.result.payloads = [output]
                let _: Temporal_Api_Workflowservice_V1_RespondActivityTaskCompletedResponse =
                    try await service.call("RespondActivityTaskCompleted", request)
            case .failure(is CancellationError):
                var request = Temporal_Api_Workflowservice_V1_RespondActivityTaskCanceledRequest()
                request.namespace = service.configuration.namespace
                request.taskToken = token
                request.identity = service.configuration.identity
                let _: Temporal_Api_Workflowservice_V1_RespondActivityTaskCanceledResponse =
                    try await service.call("RespondActivityTaskCanceled", request)
            case .failure(let error):
                logger.info("activity failed: \(error)", metadata: ["attempt": "\(task.attempt)"])
                var request = Temporal_Api_Workflowservice_V1_RespondActivityTaskFailedRequest()
                request.namespace = service.configuration.namespace
                request.taskToken = token
                request.identity = service.configuration.identity
                request.failure = ApplicationFailure.failure(from: error)
                let _: Temporal_Api_Workflowservice_V1_RespondActivityTaskFailedResponse =
                    try await service.call("RespondActivityTaskFailed", request)
            }
        } catch {
            // Temporal times the attempt out and tries it again.
            logger.warning("could not report the activity's outcome: \(error)")
        }
    }
}
