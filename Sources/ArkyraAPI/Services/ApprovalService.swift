import ArkyraCore
import ArkyraTemporal
import Foundation
import Logging

/// Submitting post groups for approval and deciding on them, through the approval workflow on Temporal
/// (ArkyraCore/Workflows/Approval). Every call is checked against the caller's organization first (WorkflowAccess).
struct ApprovalService {
    let access: WorkflowAccess
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

    static let defaultReminderMinutes = 24 * 60
    static let defaultEscalationMinutes = 72 * 60

    /// Starts the approval of the group holding post `rawPostID`.
    /// - Throws: 404 (no such post here), 409 (nothing in draft, or already waiting for approval), 503 (Temporal down).
    func submit(organizationID: UUID, postID rawPostID: String, remindEveryMinutes: Int?, escalateAfterMinutes: Int?,
                by userID: UUID, origin: RequestOrigin) async throws -> Approval {
        _ = try access.client()
        let group = try await access.group(of: rawPostID, organizationID: organizationID)
        guard group.contains(where: { $0.parentID == nil && $0.state == .draft }) else {
            throw APIError(.conflict, "not_a_draft", "only a post group with drafts can be submitted for approval")
        }
        let groupID = group[0].groupID
        let input = ApprovalWorkflow.Input(
            organizationID: organizationID, groupID: groupID, submittedBy: userID,
            remindEverySeconds: (remindEveryMinutes ?? Self.defaultReminderMinutes) * 60,
            escalateAfterSeconds: (escalateAfterMinutes ?? Self.defaultEscalationMinutes) * 60
        )
        try await access.start(ApprovalWorkflow.self, id: Self.workflowID(groupID), input: input, organizationID: organizationID,
                               alreadyRunning: APIError(.conflict, "approval_pending", "this post group is already waiting for approval"))
        try await access.record("approval.submitted", groupID: groupID, organizationID: organizationID, by: userID, origin: origin, logger: logger)
        return try await approval(groupID: groupID, organizationID: organizationID)
    }

    /// The approval of the group holding post `rawPostID`.
    func approval(organizationID: UUID, postID rawPostID: String) async throws -> Approval {
        _ = try access.client()
        let groupID = try await access.group(of: rawPostID, organizationID: organizationID)[0].groupID
        return try await approval(groupID: groupID, organizationID: organizationID)
    }

    /// Sends a member's decision to the approval; 409 when it is not waiting for one.
    func decide(organizationID: UUID, postID rawPostID: String, verdict rawVerdict: String, comment: String?,
                by userID: UUID, origin: RequestOrigin) async throws -> Approval {
        _ = try access.client()
        let decision = try Self.decision(verdict: rawVerdict, comment: comment, by: userID)
        let groupID = try await access.group(of: rawPostID, organizationID: organizationID)[0].groupID
        let current = try await approval(groupID: groupID, organizationID: organizationID)
        guard current.runStatus == "running", current.status == "pending" else {
            throw APIError(.conflict, "not_waiting_for_decision", "the approval is \(current.status), not waiting for a decision")
        }
        guard try await access.claimDecision(Self.workflowID(groupID), round: current.decisions.count) else { throw WorkflowAccess.decisionTaken }
        try await access.signal(Self.workflowID(groupID), name: "decide", input: decision, closed: Self.closed)
        try await access.record("approval.\(decision.verdict.rawValue)", groupID: groupID, organizationID: organizationID, by: userID, origin: origin, logger: logger)
        return current
    }

    /// Tells an approval that asked for changes that the group is ready again; 409 when it did not ask.
    func resubmit(organizationID: UUID, postID rawPostID: String, by userID: UUID, origin: RequestOrigin) async throws -> Approval {
        _ = try access.client()
        let groupID = try await access.group(of: rawPostID, organizationID: organizationID)[0].groupID
        let current = try await approval(groupID: groupID, organizationID: organizationID)
        guard current.runStatus == "running", current.status == "changes_requested" else {
            throw APIError(.conflict, "not_waiting_for_changes", "the approval is \(current.status); only one that asked for changes can be resubmitted")
        }
        try await access.signal(Self.workflowID(groupID), name: "resubmit", input: ApprovalWorkflow.Resubmission(by: userID), closed: Self.closed)
        try await access.record("approval.resubmitted", groupID: groupID, organizationID: organizationID, by: userID, origin: origin, logger: logger)
        return current
    }

    static func workflowID(_ groupID: UUID) -> String { "approval-\(groupID.uuidString.lowercased())" }

    /// A member's decision as the `decide` signal carries it (an approval's or a campaign review's).
    /// - Throws: 422 for a verdict other than approve, reject, request_changes, or a comment over 2000 characters.
    static func decision(verdict rawVerdict: String, comment: String?, by userID: UUID) throws -> ApprovalWorkflow.Decision {
        guard let verdict = ApprovalWorkflow.Verdict(rawValue: rawVerdict) else {
            throw APIError.validation(["verdict": "must be approve, reject or request_changes"])
        }
        if let comment, comment.count > 2000 { throw APIError.validation(["comment": "must be at most 2000 characters"]) }
        return ApprovalWorkflow.Decision(verdict: verdict, by: userID, comment: comment)
    }

    /// The fields among `fields` (minutes) outside `lowest`…129600 (90 days).
    static func minutesProblems(_ fields: [(name: String, value: Int?)], lowest: Int = 1) -> [String: String] {
        var problems: [String: String] = [:]
        for field in fields {
            if let value = field.value, !(lowest...(90 * 24 * 60)).contains(value) {
                problems[field.name] = "must be between \(lowest) and 129600 (90 days)"
            }
        }
        return problems
    }

    static let closed = APIError(.conflict, "approval_closed", "the approval has already ended")

    private func approval(groupID: UUID, organizationID: UUID) async throws -> Approval {
        let id = Self.workflowID(groupID)
        let (run, state) = try await access.state(of: id, organizationID: organizationID, as: ApprovalWorkflow.State.self, missing: "approval")
        return Self.view(id: id, groupID: groupID, run: run, state: state)
    }

    /// An approval run and its state as the API shows them (a campaign's review too).
    static func view(id: String, groupID: UUID, run: WorkflowDescription, state: ApprovalWorkflow.State) -> Approval {
        Approval(
            workflowId: id, groupId: groupID, status: state.status, runStatus: run.status,
            decisions: state.decisions.map { DecisionView(verdict: $0.verdict.rawValue, by: $0.by, comment: $0.comment) },
            reminders: state.reminders, escalated: state.escalated, scheduledPosts: state.scheduledPosts, submittedAt: run.startTime
        )
    }
}
