import ArkyraCore
import ArkyraTemporal
import Foundation
import Logging

/// Submitting post groups for approval and deciding on them, through the approval workflow on Temporal
/// (ArkyraCore/Workflows/Approval). Every call is checked against the caller's organization first: the group must
/// be the organization's, and the run's organization attribute must match, or the approval does not exist.
struct ApprovalService {
    let database: Database
    let posts: PostRepository
    let audit: AuditRepository
    /// Nil when the API was built without Temporal (some tests): the routes answer 503.
    let temporal: TemporalClient?
    let taskQueue: String
    let logger: Logger

    /// An approval as the API shows it.
    struct Approval: Encodable {
        var workflowId: String
        var groupId: UUID
        /// pending, changes_requested, approved, rejected.
        var status: String
        /// running, or how the run closed.
        var runStatus: String
        var decisions: [DecisionView]
        var reminders: Int
        var escalated: Bool
        var scheduledPosts: Int?
        var submittedAt: Date
    }

    struct DecisionView: Encodable {
        var verdict: String
        var by: UUID
        var comment: String?
    }

    /// A workflow run of the organization, for the list.
    struct Run: Encodable {
        var workflowId: String
        var runId: String
        var type: String
        var status: String
        var startedAt: Date
        var closedAt: Date?
    }

    static let defaultReminderMinutes = 24 * 60
    static let defaultEscalationMinutes = 72 * 60

    /// Starts the approval of the group holding post `rawPostID`.
    /// - Throws: 404 (no such post here), 409 (nothing in draft, or already waiting for approval), 503 (Temporal down).
    func submit(organizationID: UUID, postID rawPostID: String, remindEveryMinutes: Int?, escalateAfterMinutes: Int?,
                by userID: UUID, origin: RequestOrigin) async throws -> Approval {
        let temporal = try requireTemporal()
        let group = try await group(of: rawPostID, organizationID: organizationID)
        guard group.contains(where: { $0.parentID == nil && $0.state == .draft }) else {
            throw APIError(.conflict, "not_a_draft", "only a post group with drafts can be submitted for approval")
        }
        let groupID = group[0].groupID
        let input = ApprovalWorkflow.Input(
            organizationID: organizationID, groupID: groupID, submittedBy: userID,
            remindEverySeconds: (remindEveryMinutes ?? Self.defaultReminderMinutes) * 60,
            escalateAfterSeconds: (escalateAfterMinutes ?? Self.defaultEscalationMinutes) * 60
        )
        do {
            try await temporal.start(
                ApprovalWorkflow.self, id: Self.workflowID(groupID), taskQueue: taskQueue, input: input,
                searchAttributes: [Workflows.organizationAttribute: organizationID.uuidString], memo: ["group_id": groupID.uuidString]
            )
        } catch TemporalError.alreadyStarted {
            throw APIError(.conflict, "approval_pending", "this post group is already waiting for approval")
        } catch let error as TemporalError {
            throw Self.apiError(error)
        }
        try await record("approval.submitted", groupID: groupID, organizationID: organizationID, by: userID, origin: origin)
        return try await approval(groupID: groupID, organizationID: organizationID)
    }

    /// The approval of the group holding post `rawPostID`.
    func approval(organizationID: UUID, postID rawPostID: String) async throws -> Approval {
        _ = try requireTemporal()
        let groupID = try await group(of: rawPostID, organizationID: organizationID)[0].groupID
        return try await approval(groupID: groupID, organizationID: organizationID)
    }

    /// Sends a member's decision to the approval; 409 when it is not waiting for one.
    func decide(organizationID: UUID, postID rawPostID: String, verdict rawVerdict: String, comment: String?,
                by userID: UUID, origin: RequestOrigin) async throws -> Approval {
        let temporal = try requireTemporal()
        guard let verdict = ApprovalWorkflow.Verdict(rawValue: rawVerdict) else {
            throw APIError.validation(["verdict": "must be approve, reject or request_changes"])
        }
        if let comment, comment.count > 2000 { throw APIError.validation(["comment": "must be at most 2000 characters"]) }
        let groupID = try await group(of: rawPostID, organizationID: organizationID)[0].groupID
        let current = try await approval(groupID: groupID, organizationID: organizationID)
        guard current.runStatus == "running", current.status == "pending" else {
            throw APIError(.conflict, "not_waiting_for_decision", "the approval is \(current.status), not waiting for a decision")
        }
        try await signal(temporal, groupID: groupID, name: "decide", input: ApprovalWorkflow.Decision(verdict: verdict, by: userID, comment: comment))
        try await record("approval.\(verdict.rawValue)", groupID: groupID, organizationID: organizationID, by: userID, origin: origin)
        return current
    }

    /// Tells an approval that asked for changes that the group is ready again; 409 when it did not ask.
    func resubmit(organizationID: UUID, postID rawPostID: String, by userID: UUID, origin: RequestOrigin) async throws -> Approval {
        let temporal = try requireTemporal()
        let groupID = try await group(of: rawPostID, organizationID: organizationID)[0].groupID
        let current = try await approval(groupID: groupID, organizationID: organizationID)
        guard current.runStatus == "running", current.status == "changes_requested" else {
            throw APIError(.conflict, "not_waiting_for_changes", "the approval is \(current.status); only one that asked for changes can be resubmitted")
        }
        try await signal(temporal, groupID: groupID, name: "resubmit", input: ApprovalWorkflow.Resubmission(by: userID))
        try await record("approval.resubmitted", groupID: groupID, organizationID: organizationID, by: userID, origin: origin)
        return current
    }

    /// The organization's workflow runs, newest first (`type` one of the workflow types).
    func runs(organizationID: UUID, type: String?, pageToken: String?) async throws -> (runs: [Run], nextPageToken: String?) {
        let temporal = try requireTemporal()
        var query = "\(Workflows.organizationAttribute) = '\(organizationID.uuidString)'"
        if let type {
            guard Workflows.names.contains(type) else {
                throw APIError.validation(["type": "must be one of \(Workflows.names.joined(separator: ", "))"])
            }
            query += " AND WorkflowType = '\(type)'"
        }
        var token = Data()
        if let pageToken {
            guard let decoded = JWTSigner.decodeBase64URL(Array(pageToken.utf8)) else { throw APIError.validation(["page_token": "is not a token this API issued"]) }
            token = decoded
        }
        do {
            let page = try await temporal.list(query: query, pageSize: 100, pageToken: token)
            let runs = page.runs.map { Run(workflowId: $0.workflowID, runId: $0.runID, type: $0.workflowType, status: $0.status, startedAt: $0.startTime, closedAt: $0.closeTime) }
            return (runs, page.nextPageToken.isEmpty ? nil : JWTSigner.base64URL(page.nextPageToken))
        } catch TemporalError.rpc(_, let message) where token.count > 0 {
            throw APIError.validation(["page_token": "was refused: \(message)"])
        } catch let error as TemporalError {
            throw Self.apiError(error)
        }
    }

    // MARK: Helpers

    static func workflowID(_ groupID: UUID) -> String { "approval-\(groupID.uuidString.lowercased())" }

    private func requireTemporal() throws -> TemporalClient {
        guard let temporal else { throw APIError(.serviceUnavailable, "workflows_unavailable", "workflows are not configured on this server") }
        return temporal
    }

    private func group(of rawPostID: String, organizationID: UUID) async throws -> [Post] {
        guard let postID = UUID(uuidString: rawPostID),
              let post = try await posts.find(id: postID, organizationID: organizationID, client: database)
        else { throw APIError.notFound("post") }
        let group = try await posts.group(post.groupID, organizationID: organizationID, client: database)
        guard !group.isEmpty else { throw APIError.notFound("post") }
        return group
    }

    /// The run's state by query, once its organization attribute is the caller's.
    private func approval(groupID: UUID, organizationID: UUID) async throws -> Approval {
        let temporal = try requireTemporal()
        let id = Self.workflowID(groupID)
        do {
            let run = try await temporal.describe(workflowID: id)
            guard run.searchAttributes[Workflows.organizationAttribute] == organizationID.uuidString else { throw APIError.notFound("approval") }
            let state = try await temporal.query(workflowID: id, name: "state", as: ApprovalWorkflow.State.self)
            return Approval(
                workflowId: id, groupId: groupID, status: state.status, runStatus: run.status,
                decisions: state.decisions.map { DecisionView(verdict: $0.verdict.rawValue, by: $0.by, comment: $0.comment) },
                reminders: state.reminders, escalated: state.escalated, scheduledPosts: state.scheduledPosts, submittedAt: run.startTime
            )
        } catch TemporalError.notFound {
            throw APIError.notFound("approval")
        } catch let error as TemporalError {
            throw Self.apiError(error)
        }
    }

    private func signal(_ temporal: TemporalClient, groupID: UUID, name: String, input: some Encodable & Sendable) async throws {
        do {
            try await temporal.signal(workflowID: Self.workflowID(groupID), name: name, input: input)
        } catch TemporalError.notFound {
            throw APIError(.conflict, "approval_closed", "the approval has already ended")
        } catch let error as TemporalError {
            throw Self.apiError(error)
        }
    }

    private func record(_ action: String, groupID: UUID, organizationID: UUID, by userID: UUID, origin: RequestOrigin) async throws {
        try await database.inTransaction(logger: logger) { connection in
            try await audit.record(
                AuditEvent(organizationID: organizationID, actorUserID: userID, action: action, targetType: "post_group",
                           targetID: groupID.uuidString, origin: origin),
                on: connection
            )
        }
    }

    /// Temporal's trouble as the client sees it: 503 while it is unreachable, 502 for anything else it answered.
    static func apiError(_ error: TemporalError) -> APIError {
        switch error {
        case .unavailable:
            APIError(.serviceUnavailable, "temporal_unavailable", "the workflow engine (Temporal) is unavailable; try again shortly",
                     headers: ["Retry-After": "5"])
        case .notFound:
            APIError.notFound("workflow")
        default:
            APIError(.badGateway, "temporal_error", "the workflow engine answered: \(error)")
        }
    }
}
