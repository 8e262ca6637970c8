import Foundation
import SwiftProtobuf

/// Starts, signals, queries, lists and ends workflows: what ARKYRA's API does with Temporal.
public struct TemporalClient: Sendable {
    public let service: WorkflowService
    var namespace: String { service.configuration.namespace }

    public init(service: WorkflowService) {
        self.service = service
    }

    /// Starts workflow `W` with `id` (unique among open runs: a second start of a running id throws
    /// `alreadyStarted`). Search attributes are Keyword values, as ArkyraOrganization is; memo values are JSON.
    @discardableResult
    public func start<W: Workflow>(
        _ type: W.Type, id: String, taskQueue: String, input: W.Input,
        searchAttributes: [String: String] = [:], memo: [String: String] = [:]
    ) async throws -> String {
        var request = Temporal_Api_Workflowservice_V1_StartWorkflowExecutionRequest()
        request.namespace = namespace
        request.workflowID = id
        request.workflowType.name = W.name
        request.taskQueue.name = taskQueue
        request.input = try PayloadConverter.payloads(input)
        request.identity = service.configuration.identity
        // The same request sent twice (a retry after a lost answer) starts one run.
        request.requestID = UUID().uuidString
        request.workflowIDReusePolicy = .allowDuplicate
        if !searchAttributes.isEmpty { request.searchAttributes = PayloadConverter.keywordSearchAttributes(searchAttributes) }
        for (name, value) in memo { request.memo.fields[name] = try PayloadConverter.payload(value) }
        do {
            let response: Temporal_Api_Workflowservice_V1_StartWorkflowExecutionResponse = try await service.call("StartWorkflowExecution", request)
            return response.runID
        } catch TemporalError.alreadyExists {
            throw TemporalError.alreadyStarted(workflowID: id)
        }
    }

    /// Sends signal `name` with `input` to the open run of `workflowID`.
    public func signal(workflowID: String, name: String, input: some Encodable) async throws {
        var request = Temporal_Api_Workflowservice_V1_SignalWorkflowExecutionRequest()
        request.namespace = namespace
        request.workflowExecution.workflowID = workflowID
        request.signalName = name
        request.input = try PayloadConverter.payloads(input)
        request.identity = service.configuration.identity
        request.requestID = UUID().uuidString
        let _: Temporal_Api_Workflowservice_V1_SignalWorkflowExecutionResponse = try await service.call("SignalWorkflowExecution", request)
    }

    /// The answer to query `name` from the latest run of `workflowID` (open or closed).
    public func query<T: Decodable>(workflowID: String, name: String, as type: T.Type = T.self) async throws -> T {
        var request = Temporal_Api_Workflowservice_V1_QueryWorkflowRequest()
        request.namespace = namespace
        request.execution.workflowID = workflowID
        request.query.queryType = name
        let response: Temporal_Api_Workflowservice_V1_QueryWorkflowResponse
        do {
            // A query waits for a worker to replay the run and answer: the long deadline, not an ordinary call's.
            response = try await service.call("QueryWorkflow", request, poll: true)
        } catch TemporalError.rpc(_, let message) {
            throw TemporalError.queryFailed(message)
        }
        if response.hasQueryRejected { throw TemporalError.queryFailed("rejected: the run is \(response.queryRejected.status)") }
        return try PayloadConverter.value(type, from: response.queryResult)
    }

    public func describe(workflowID: String) async throws -> WorkflowDescription {
        var request = Temporal_Api_Workflowservice_V1_DescribeWorkflowExecutionRequest()
        request.namespace = namespace
        request.execution.workflowID = workflowID
        let response: Temporal_Api_Workflowservice_V1_DescribeWorkflowExecutionResponse = try await service.call("DescribeWorkflowExecution", request)
        return WorkflowDescription(response.workflowExecutionInfo)
    }

    /// Runs matching a visibility query (`ArkyraOrganization = "…" AND WorkflowType = "…"`), newest first; pass the
    /// returned token back for the next page (empty when there is none).
    public func list(query: String, pageSize: Int = 100, pageToken: Data = Data()) async throws -> (runs: [WorkflowDescription], nextPageToken: Data) {
        var request = Temporal_Api_Workflowservice_V1_ListWorkflowExecutionsRequest()
        request.namespace = namespace
        request.query = query
        request.pageSize = Int32(pageSize)
        request.nextPageToken = pageToken
        let response: Temporal_Api_Workflowservice_V1_ListWorkflowExecutionsResponse = try await service.call("ListWorkflowExecutions", request)
        return (response.executions.map(WorkflowDescription.init), response.nextPageToken)
    }

    /// Asks the open run of `workflowID` to cancel (its code sees CancellationError at its waits).
    public func cancel(workflowID: String, reason: String) async throws {
        var request = Temporal_Api_Workflowservice_V1_RequestCancelWorkflowExecutionRequest()
        request.namespace = namespace
        request.workflowExecution.workflowID = workflowID
        request.identity = service.configuration.identity
        request.requestID = UUID().uuidString
        request.reason = reason
        let _: Temporal_Api_Workflowservice_V1_RequestCancelWorkflowExecutionResponse = try await service.call("RequestCancelWorkflowExecution", request)
    }

    /// Ends the open run of `workflowID` at once, without its code running again.
    public func terminate(workflowID: String, reason: String) async throws {
        var request = Temporal_Api_Workflowservice_V1_TerminateWorkflowExecutionRequest()
        request.namespace = namespace
        request.workflowExecution.workflowID = workflowID
        request.identity = service.configuration.identity
        request.reason = reason
        let _: Temporal_Api_Workflowservice_V1_TerminateWorkflowExecutionResponse = try await service.call("TerminateWorkflowExecution", request)
    }

    /// Waits for the run `runID` of `workflowID` to close and returns its result; throws the failure it closed with.
    public func result<T: Decodable>(workflowID: String, runID: String, as type: T.Type = T.self) async throws -> T {
        var request = Temporal_Api_Workflowservice_V1_GetWorkflowExecutionHistoryRequest()
        request.namespace = namespace
        request.execution.workflowID = workflowID
        request.execution.runID = runID
        request.waitNewEvent = true
        request.historyEventFilterType = .closeEvent
        while true {
            let response: Temporal_Api_Workflowservice_V1_GetWorkflowExecutionHistoryResponse = try await service.call("GetWorkflowExecutionHistory", request, poll: true)
            if let event = response.history.events.last {
                switch event.attributes {
                case .workflowExecutionCompletedEventAttributes(let completed):
                    return try PayloadConverter.value(type, from: completed.result)
                case .workflowExecutionFailedEventAttributes(let failed):
                    throw WorkflowFailure(message: failed.failure.message, status: "failed")
                case .workflowExecutionContinuedAsNewEventAttributes(let next):
                    request.execution.runID = next.newExecutionRunID
                    request.nextPageToken = Data()
                    continue
                default:
                    throw WorkflowFailure(message: "closed as \(event.eventType)", status: "\(event.eventType)")
                }
            }
            request.nextPageToken = response.nextPageToken
        }
    }

    /// The full history of a run, as the Temporal UI downloads it (for replay tests).
    public func history(workflowID: String, runID: String) async throws -> Data {
        var request = Temporal_Api_Workflowservice_V1_GetWorkflowExecutionHistoryRequest()
        request.namespace = namespace
        request.execution.workflowID = workflowID
        request.execution.runID = runID
        var history = Temporal_Api_History_V1_History()
        repeat {
            let page: Temporal_Api_Workflowservice_V1_GetWorkflowExecutionHistoryResponse = try await service.call("GetWorkflowExecutionHistory", request)
            history.events += page.history.events
            request.nextPageToken = page.nextPageToken
        } while !request.nextPageToken.isEmpty
        return try history.jsonUTF8Data()
    }

    /// Succeeds when the server answers for the namespace, at the first try (the services' readiness).
    public func checkNamespace() async throws {
        var request = Temporal_Api_Workflowservice_V1_DescribeNamespaceRequest()
        request.namespace = namespace
        let _: Temporal_Api_Workflowservice_V1_DescribeNamespaceResponse = try await service.call("DescribeNamespace", request, attempts: 1)
    }
}

/// A run as Temporal describes it.
public struct WorkflowDescription: Sendable {
    public let workflowID: String
    public let runID: String
    public let workflowType: String
    /// running, completed, failed, canceled, terminated, continued_as_new, timed_out.
    public let status: String
    public let startTime: Date
    public let closeTime: Date?
    public let searchAttributes: [String: String]
    public let memo: [String: String]

    init(_ info: Temporal_Api_Workflow_V1_WorkflowExecutionInfo) {
        workflowID = info.execution.workflowID
        runID = info.execution.runID
        workflowType = info.type.name
        status = Self.statusName(info.status)
        startTime = info.startTime.date
        closeTime = info.hasCloseTime ? info.closeTime.date : nil
        searchAttributes = info.searchAttributes.indexedFields.compactMapValues { try? PayloadConverter.value(String.self, from: $0) }
        memo = info.memo.fields.compactMapValues { try? PayloadConverter.value(String.self, from: $0) }
    }

    private static func statusName(_ status: Temporal_Api_Enums_V1_WorkflowExecutionStatus) -> String {
        switch status {
        case .running: "running"
        case .completed: "completed"
        case .failed: "failed"
        case .canceled: "canceled"
        case .terminated: "terminated"
        case .continuedAsNew: "continued_as_new"
        case .timedOut: "timed_out"
        default: "unknown"
        }
    }
}

/// A workflow run that closed without a result.
public struct WorkflowFailure: Error, CustomStringConvertible, Sendable {
    public let message: String
    public let status: String
    public var description: String { "the workflow \(status): \(message)" }
}
