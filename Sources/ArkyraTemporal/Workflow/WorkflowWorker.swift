import Foundation
import Logging

/// Polls a workflow task queue and answers each workflow task by replaying the run's history through its workflow
/// (WorkflowContext+Replay.swift): the commands the code issues, or the query answers asked for. Each task replays
/// from the first event; there is no cache of runs between tasks yet, so a process can die at any point and another
/// worker carries on from the history alone.
public struct WorkflowWorker: Sendable {
    let service: WorkflowService
    let taskQueue: String
    let types: [String: WorkflowType]
    let pollers: Int
    let logger: Logger

    public init(service: WorkflowService, taskQueue: String, workflows: [any Workflow.Type], pollers: Int = 4, logger: Logger) {
        self.service = service
        self.taskQueue = taskQueue
        self.types = Dictionary(workflows.map { type in (type.name, Self.erase(type)) }) { first, _ in first }
        self.pollers = max(1, pollers)
        self.logger = logger
    }

    private static func erase<W: Workflow>(_ type: W.Type) -> WorkflowType { WorkflowType(type) }

    /// Polls until cancelled.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for _ in 0..<pollers {
                group.addTask { await poll() }
            }
        }
    }

    private func poll() async {
        var request = Temporal_Api_Workflowservice_V1_PollWorkflowTaskQueueRequest()
        request.namespace = service.configuration.namespace
        request.taskQueue.name = taskQueue
        request.taskQueue.kind = .normal
        request.identity = service.configuration.identity
        await pollUntilCancelled("workflow task queue \(taskQueue)", logger: logger) {
            let task: Temporal_Api_Workflowservice_V1_PollWorkflowTaskQueueResponse =
                try await service.call("PollWorkflowTaskQueue", request, poll: true)
            guard !task.taskToken.isEmpty else { return }
            try await answer(task)
        }
    }

    /// Replays the task's run and sends the answer: commands (with any query answers), a query's answer, or the
    /// workflow task's failure.
    func answer(_ task: Temporal_Api_Workflowservice_V1_PollWorkflowTaskQueueResponse) async throws {
        var logger = logger
        logger[metadataKey: "workflow_id"] = "\(task.workflowExecution.workflowID)"
        let events = try await history(of: task)
        let replayed = replay(events, logger: logger)
        defer { (try? replayed.get())?.context.evict() }
        if task.hasQuery {
            var request = Temporal_Api_Workflowservice_V1_RespondQueryTaskCompletedRequest()
            request.namespace = service.configuration.namespace
            request.taskToken = task.taskToken
            switch replayed.flatMap({ run in Result { try run.context.answer(query: task.query.queryType) } }) {
            case .success(let answer):
                request.completedType = .answered
                request.queryResult.payloads = [answer]
            case .failure(let error):
                request.completedType = .failed
                request.errorMessage = String(describing: error)
                request.failure = ApplicationFailure.failure(from: error)
            }
            let _: Temporal_Api_Workflowservice_V1_RespondQueryTaskCompletedResponse = try await service.call("RespondQueryTaskCompleted", request)
            return
        }
        switch replayed {
        case .success(let run):
            var request = Temporal_Api_Workflowservice_V1_RespondWorkflowTaskCompletedRequest()
            request.namespace = service.configuration.namespace
            request.taskToken = task.taskToken
            request.identity = service.configuration.identity
            request.commands = run.commands
            for (id, query) in task.queries {
                var result = Temporal_Api_Query_V1_WorkflowQueryResult()
                do {
                    result.answer.payloads = [try run.context.answer(query: query.queryType)]
                    result.resultType = .answered
                } catch {
                    result.resultType = .failed
                    result.errorMessage = String(describing: error)
                }
                request.queryResults[id] = result
            }
            let _: Temporal_Api_Workflowservice_V1_RespondWorkflowTaskCompletedResponse = try await service.call("RespondWorkflowTaskCompleted", request)
        case .failure(let error):
            logger.error("workflow task failed: \(error)", metadata: ["attempt": "\(task.attempt)"])
            var request = Temporal_Api_Workflowservice_V1_RespondWorkflowTaskFailedRequest()
            request.namespace = service.configuration.namespace
            request.taskToken = task.taskToken
            request.identity = service.configuration.identity
            request.cause = error is WorkflowReplayError ? .nonDeterministicError : .workflowWorkerUnhandledFailure
            request.failure = ApplicationFailure.failure(from: error)
            let _: Temporal_Api_Workflowservice_V1_RespondWorkflowTaskFailedResponse = try await service.call("RespondWorkflowTaskFailed", request)
        }
    }

    /// A replayed run: its context (for queries; evicted once the task is answered) and the new commands.
    struct Replayed {
        let context: WorkflowContext
        let commands: [Command]
    }

    /// The run's replay, or why it could not be replayed (a run that started and then failed is evicted here).
    func replay(_ events: [HistoryEvent], logger: Logger) -> Result<Replayed, any Error> {
        Result {
            let context = try WorkflowContext.start(events, types: types, namespace: service.configuration.namespace, logger: logger)
            do {
                return Replayed(context: context, commands: try context.replay(events))
            } catch {
                context.evict()
                throw error
            }
        }
    }

    /// Every event of the run up to this task: the poll's own, then the pages the server holds back.
    private func history(of task: Temporal_Api_Workflowservice_V1_PollWorkflowTaskQueueResponse) async throws -> [HistoryEvent] {
        var events = task.history.events
        var token = task.nextPageToken
        while !token.isEmpty {
            var request = Temporal_Api_Workflowservice_V1_GetWorkflowExecutionHistoryRequest()
            request.namespace = service.configuration.namespace
            request.execution = task.workflowExecution
            request.nextPageToken = token
            let page: Temporal_Api_Workflowservice_V1_GetWorkflowExecutionHistoryResponse =
                try await service.call("GetWorkflowExecutionHistory", request)
            events += page.history.events
            token = page.nextPageToken
        }
        return events
    }
}
