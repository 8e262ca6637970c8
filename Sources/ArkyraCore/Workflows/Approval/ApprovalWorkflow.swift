import ArkyraTemporal
import Foundation

/// A post group waiting for a person allowed to approve it. Started when an editor submits a draft group; waits for
/// the `decide` signal (approve, reject, request changes), reminding the organization every `remindEvery` and
/// escalating once after `escalateAfter`. Approved groups are scheduled through the publishing pipeline (which
/// publishes each post once); after a request for changes the group waits for `resubmit`. The API checks who may
/// signal before anything reaches Temporal. A campaign's review is this workflow over all the campaign's groups
/// (`groupIDs`), run as the campaign's child.
package final class ApprovalWorkflow: Workflow {
    package static let name = "Approval"

    package struct Input: Codable, Sendable {
        package var organizationID: UUID
        package var groupID: UUID
        package var submittedBy: UUID
        package var remindEverySeconds: Int
        package var escalateAfterSeconds: Int
        /// The groups approved together, when more than `groupID` (whose first post the notifications link to).
        package var groupIDs: [UUID]?
        /// How notifications name what waits ("Campaign “Spring”"); "Post group 1a2b3c4d" otherwise.
        package var subject: String?

        package init(organizationID: UUID, groupID: UUID, submittedBy: UUID, remindEverySeconds: Int, escalateAfterSeconds: Int,
                     groupIDs: [UUID]? = nil, subject: String? = nil) {
            self.organizationID = organizationID
            self.groupID = groupID
            self.submittedBy = submittedBy
            self.remindEverySeconds = remindEverySeconds
            self.escalateAfterSeconds = escalateAfterSeconds
            self.groupIDs = groupIDs
            self.subject = subject
        }
    }

    package enum Verdict: String, Codable, Sendable {
        case approve, reject
        case requestChanges = "request_changes"
    }

    /// The `decide` signal.
    package struct Decision: Codable, Sendable, Equatable {
        package var verdict: Verdict
        package var by: UUID
        package var comment: String?

        package init(verdict: Verdict, by: UUID, comment: String?) {
            self.verdict = verdict
            self.by = by
            self.comment = comment
        }
    }

    /// The `resubmit` signal: the author changed the group as asked.
    package struct Resubmission: Codable, Sendable, Equatable {
        package var by: UUID
        package init(by: UUID) { self.by = by }
    }

    /// The `state` query, and the result.
    package struct State: Codable, Sendable, Equatable {
        /// pending, changes_requested, approved, rejected.
        package var status: String
        package var decisions: [Decision]
        package var reminders: Int
        package var escalated: Bool
        /// How many posts the approval scheduled (after approval).
        package var scheduledPosts: Int?
    }

    let context: WorkflowContext
    let input: Input
    var state = State(status: "pending", decisions: [], reminders: 0, escalated: false, scheduledPosts: nil)
    var waitingDecision: Decision?
    var resubmitted = false

    package init(context: WorkflowContext, input: Input) {
        self.context = context
        self.input = input
        context.onSignal("decide", as: Decision.self) { [unowned self] decision in
            // One decision per round: a second one while the first is handled is kept in the record only if it counts.
            if state.status == "pending", waitingDecision == nil { waitingDecision = decision }
        }
        context.onSignal("resubmit", as: Resubmission.self) { [unowned self] _ in
            if state.status == "changes_requested" { resubmitted = true }
        }
        context.onQuery("state") { [unowned self] in state }
    }

    package func run() async throws -> State {
        let submitted = context.now
        while true {
            let decision = try await awaitDecision(submittedAt: submitted)
            state.decisions.append(decision)
            waitingDecision = nil
            switch decision.verdict {
            case .approve:
                var scheduled = 0
                for groupID in input.groupIDs ?? [input.groupID] {
                    scheduled += try await context.execute(
                        ScheduleApprovedGroup.self, .init(organizationID: input.organizationID, groupID: groupID, approvedBy: decision.by),
                        options: Workflows.databaseActivity
                    ).posts
                }
                state.scheduledPosts = scheduled
                state.status = "approved"
                try await notify("approval.approved", "Approved; \(scheduled) post(s) scheduled.")
                return state
            case .reject:
                state.status = "rejected"
                try await notify("approval.rejected", "Rejected\(Self.quoted(decision.comment)).")
                return state
            case .requestChanges:
                state.status = "changes_requested"
                try await notify("approval.changes_requested", "Changes requested\(Self.quoted(decision.comment)).")
                try await context.condition { [unowned self] in resubmitted }
                resubmitted = false
                state.status = "pending"
                try await notify("approval.resubmitted", "Resubmitted for approval.")
            }
        }
    }

    /// Waits for the round's decision, reminding at each interval and escalating once past the deadline.
    private func awaitDecision(submittedAt submitted: Date) async throws -> Decision {
        let escalation = submitted.addingTimeInterval(TimeInterval(input.escalateAfterSeconds))
        while true {
            var wait = Duration.seconds(input.remindEverySeconds)
            if !state.escalated {
                wait = min(wait, .milliseconds(Int64(max(0, escalation.timeIntervalSince(context.now)) * 1000)))
            }
            let decided = try await context.condition(timeout: wait) { [unowned self] in waitingDecision != nil }
            if decided, let decision = waitingDecision { return decision }
            if !state.escalated, context.now >= escalation {
                state.escalated = true
                try await notify("approval.escalated", "Still waiting for approval after \(Self.hours(input.escalateAfterSeconds)): escalated.")
            } else {
                state.reminders += 1
                try await notify("approval.reminder", "Waiting for approval (reminder \(state.reminders)).")
            }
        }
    }

    private func notify(_ kind: String, _ message: String) async throws {
        _ = try await context.execute(
            NotifyOrganization.self,
            .init(organizationID: input.organizationID, groupID: input.groupID, kind: kind,
                  message: "\(input.subject ?? "Post group \(input.groupID.uuidString.prefix(8))"): \(message)", notificationID: context.uuid()),
            options: Workflows.databaseActivity
        )
    }

    private static func quoted(_ comment: String?) -> String {
        guard let comment, !comment.isEmpty else { return "" }
        return ": “\(comment)”"
    }

    private static func hours(_ seconds: Int) -> String {
        seconds % 3600 == 0 ? "\(seconds / 3600) h" : "\(seconds / 60) min"
    }
}
