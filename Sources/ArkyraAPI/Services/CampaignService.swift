import ArkyraCore
import ArkyraTemporal
import Foundation
import Logging

/// Campaigns on Temporal (ArkyraCore/Workflows/Campaign): draft post groups reviewed together, published through the
/// pipeline, and followed up with their results. Every call is checked against the caller's organization first
/// (WorkflowAccess); the review is the campaign's child approval, signalled here.
struct CampaignService {
    let access: WorkflowAccess
    /// How long a campaign waits for the platforms' counts (ARKYRA_CAMPAIGN_COUNTS_WAIT_SECONDS).
    let countsWaitSeconds: Int
    let logger: Logger

    /// What a new campaign is made of, as the route read it.
    struct NewCampaign {
        var name: String
        var postIDs: [String]
        var resultsAfterMinutes: Int?
        var remindEveryMinutes: Int?
        var escalateAfterMinutes: Int?
    }

    /// A campaign as the API shows it.
    struct Campaign: Encodable {
        var campaignId: UUID
        var workflowId: String
        var name: String
        /// in_review, rejected, running, finished.
        var status: String
        /// running, or how the run closed (cancelled, ...).
        var runStatus: String
        var groupIds: [UUID]
        var review: ApprovalService.Approval?
        var collections: [CampaignWorkflow.Collection]
        var results: [CampaignResults.Group]
        var createdAt: Date
    }

    static let maxGroups = 50
    static let defaultResultsAfterMinutes = 7 * 24 * 60

    /// Starts a campaign of the groups holding `postIDs` (each a group with drafts, named once).
    /// - Throws: 422 (name, posts, minutes), 503 (Temporal down).
    func create(organizationID: UUID, _ new: NewCampaign, by userID: UUID, origin: RequestOrigin) async throws -> Campaign {
        _ = try access.client()
        var problems: [String: String] = [:]
        let name = new.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty || name.count > 200 { problems["name"] = "must be 1 to 200 characters" }
        if new.postIDs.isEmpty || new.postIDs.count > Self.maxGroups { problems["post_ids"] = "must name 1 to \(Self.maxGroups) posts" }
        problems.merge(ApprovalService.minutesProblems([("results_after_minutes", new.resultsAfterMinutes)], lowest: 0)) { first, _ in first }
        problems.merge(ApprovalService.minutesProblems([("remind_every_minutes", new.remindEveryMinutes),
                                                        ("escalate_after_minutes", new.escalateAfterMinutes)])) { first, _ in first }
        var groupIDs: [UUID] = []
        for (index, rawID) in new.postIDs.enumerated() where problems["post_ids"] == nil {
            let field = "post_ids[\(index)]"
            // Only "no such post" is the caller's mistake; the database going away is not answered as one.
            let group: [Post]
            do {
                group = try await access.group(of: rawID, organizationID: organizationID)
            } catch let error as APIError where error.status == .notFound {
                problems[field] = "is not a post of this organization"
                continue
            }
            if groupIDs.contains(group[0].groupID) {
                problems[field] = "is in a post group named before"
            } else if !group.contains(where: { $0.parentID == nil && $0.state == .draft }) {
                problems[field] = "is not a draft: only drafts wait for a campaign's review"
            }
            groupIDs.append(group[0].groupID)
        }
        guard problems.isEmpty else { throw APIError.validation(problems) }
        let campaignID = UUID()
        let input = CampaignWorkflow.Input(
            organizationID: organizationID, campaignID: campaignID, name: name, groupIDs: groupIDs, createdBy: userID,
            remindEverySeconds: (new.remindEveryMinutes ?? ApprovalService.defaultReminderMinutes) * 60,
            escalateAfterSeconds: (new.escalateAfterMinutes ?? ApprovalService.defaultEscalationMinutes) * 60,
            resultsAfterSeconds: (new.resultsAfterMinutes ?? Self.defaultResultsAfterMinutes) * 60, metricsWaitSeconds: countsWaitSeconds
        )
        try await access.start(CampaignWorkflow.self, id: Self.workflowID(campaignID), input: input, organizationID: organizationID,
                               alreadyRunning: APIError(.conflict, "campaign_running", "this campaign is already running"))
        try await access.record("campaign.created", target: ("campaign", campaignID), organizationID: organizationID, by: userID,
                                origin: origin, logger: logger)
        return try await campaign(organizationID: organizationID, campaignID: campaignID.uuidString)
    }

    /// The campaign, with its review's decisions while it is in review.
    func campaign(organizationID: UUID, campaignID rawID: String) async throws -> Campaign {
        _ = try access.client()
        guard let campaignID = UUID(uuidString: rawID) else { throw APIError.notFound("campaign") }
        let id = Self.workflowID(campaignID)
        let (run, state) = try await access.state(of: id, organizationID: organizationID, as: CampaignWorkflow.State.self, missing: "campaign")
        // The review is a run of its own; for a moment after the start it is not there yet.
        let reviewID = CampaignWorkflow.reviewID(campaignID)
        var review: ApprovalService.Approval?
        do {
            let child = try await access.state(of: reviewID, organizationID: organizationID, as: ApprovalWorkflow.State.self, missing: "review")
            review = ApprovalService.view(id: reviewID, groupID: state.groupIDs[0], run: child.run, state: child.state)
        } catch let error as APIError where error.status == .notFound {
            review = nil
        }
        return Campaign(campaignId: campaignID, workflowId: id, name: state.name, status: state.status, runStatus: run.status,
                        groupIds: state.groupIDs, review: review, collections: state.collections, results: state.results, createdAt: run.startTime)
    }

    /// A member's verdict on the campaign's review; 409 when the review does not wait for one.
    func review(organizationID: UUID, campaignID rawID: String, verdict rawVerdict: String, comment: String?, by userID: UUID,
                origin: RequestOrigin) async throws -> Campaign {
        let decision = try ApprovalService.decision(verdict: rawVerdict, comment: comment, by: userID)
        let current = try await campaign(organizationID: organizationID, campaignID: rawID)
        guard current.runStatus == "running", let review = current.review, review.runStatus == "running", review.status == "pending" else {
            throw APIError(.conflict, "not_waiting_for_review", "the campaign is \(current.status), not waiting for a review")
        }
        guard try await access.claimDecision(review.workflowId, round: review.decisions.count) else { throw WorkflowAccess.decisionTaken }
        try await access.signal(review.workflowId, name: "decide", input: decision, closed: Self.closed)
        try await access.record("campaign.\(decision.verdict.rawValue)", target: ("campaign", current.campaignId), organizationID: organizationID,
                                by: userID, origin: origin, logger: logger)
        return current
    }

    /// Tells a review that asked for changes that the campaign's groups are ready again.
    func resubmit(organizationID: UUID, campaignID rawID: String, by userID: UUID, origin: RequestOrigin) async throws -> Campaign {
        let current = try await campaign(organizationID: organizationID, campaignID: rawID)
        guard current.runStatus == "running", let review = current.review, review.status == "changes_requested" else {
            throw APIError(.conflict, "not_waiting_for_changes", "only a campaign whose review asked for changes can be resubmitted")
        }
        try await access.signal(review.workflowId, name: "resubmit", input: ApprovalWorkflow.Resubmission(by: userID), closed: Self.closed)
        try await access.record("campaign.resubmitted", target: ("campaign", current.campaignId), organizationID: organizationID, by: userID,
                                origin: origin, logger: logger)
        return current
    }

    /// Cancels a running campaign (its review with it); posts already scheduled stay scheduled.
    func cancel(organizationID: UUID, campaignID rawID: String, by userID: UUID, origin: RequestOrigin) async throws -> Campaign {
        let current = try await campaign(organizationID: organizationID, campaignID: rawID)
        guard current.runStatus == "running" else { throw Self.closed }
        do {
            try await access.client().cancel(workflowID: current.workflowId, reason: "cancelled by \(userID.uuidString)")
        } catch TemporalError.notFound {
            throw Self.closed
        } catch let error as TemporalError {
            throw WorkflowAccess.apiError(error)
        }
        try await access.record("campaign.cancelled", target: ("campaign", current.campaignId), organizationID: organizationID, by: userID,
                                origin: origin, logger: logger)
        return current
    }

    static func workflowID(_ campaignID: UUID) -> String { "campaign-\(campaignID.uuidString.lowercased())" }

    static let closed = APIError(.conflict, "campaign_closed", "the campaign has already ended")
}
