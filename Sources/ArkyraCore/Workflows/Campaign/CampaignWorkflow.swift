import ArkyraTemporal
import Foundation

/// A campaign: post groups across channels, each at its own time, reviewed together and then followed up. The review
/// is an approval over all the groups, run as this workflow's child (`campaign-<id>-review`), which schedules them
/// through the publishing pipeline when approved. Then, `resultsAfterSeconds` after each group's last post is due, the
/// campaign waits for the group's posts to be through the pipeline (looking again every `metricsWaitSeconds`, at most
/// `maxChecks` times), asks the worker to read the published posts' counts again, waits `metricsWaitSeconds` for them,
/// and keeps each post's outcome (state, link, error) and counts. Cancelling the campaign cancels its review; posts already
/// scheduled stay scheduled.
package final class CampaignWorkflow: Workflow {
    package static let name = "Campaign"

    package struct Input: Codable, Sendable {
        package var organizationID: UUID
        package var campaignID: UUID
        package var name: String
        package var groupIDs: [UUID]
        package var createdBy: UUID
        package var remindEverySeconds: Int
        package var escalateAfterSeconds: Int
        package var resultsAfterSeconds: Int
        package var metricsWaitSeconds: Int

        package init(organizationID: UUID, campaignID: UUID, name: String, groupIDs: [UUID], createdBy: UUID, remindEverySeconds: Int,
                     escalateAfterSeconds: Int, resultsAfterSeconds: Int, metricsWaitSeconds: Int) {
            self.organizationID = organizationID
            self.campaignID = campaignID
            self.name = name
            self.groupIDs = groupIDs
            self.createdBy = createdBy
            self.remindEverySeconds = remindEverySeconds
            self.escalateAfterSeconds = escalateAfterSeconds
            self.resultsAfterSeconds = resultsAfterSeconds
            self.metricsWaitSeconds = metricsWaitSeconds
        }
    }

    /// The `state` query, and the result.
    package struct State: Codable, Sendable, Equatable {
        package var name: String
        package var groupIDs: [UUID]
        /// in_review, rejected, running (approved; results to come), finished.
        package var status: String
        /// The review's outcome, once it ended.
        package var review: ApprovalWorkflow.State?
        /// When each group's results are collected (after approval).
        package var collections: [Collection]
        package var results: [CampaignResults.Group]
    }

    package struct Collection: Codable, Sendable, Equatable {
        package var groupID: UUID
        package var at: Date
    }

    let context: WorkflowContext
    let input: Input
    var state: State

    package init(context: WorkflowContext, input: Input) throws {
        guard !input.groupIDs.isEmpty else { throw ApplicationFailure("a campaign needs at least one post group", type: "InvalidInput", nonRetryable: true) }
        self.context = context
        self.input = input
        state = State(name: input.name, groupIDs: input.groupIDs, status: "in_review", review: nil, collections: [], results: [])
        context.onQuery("state") { [unowned self] in state }
    }

    package static func reviewID(_ campaignID: UUID) -> String { "campaign-\(campaignID.uuidString.lowercased())-review" }

    /// The campaign's status, in its state and its memo (what the Temporal UI and lists show).
    private func setStatus(_ status: String) throws {
        state.status = status
        try context.upsertMemo(["status": status])
    }

    /// How many times a group still in the pipeline is looked at again before its results are kept as they are.
    static let maxChecks = 12

    /// A group's results once its posts are through the pipeline, with counts read again after they were published.
    private func collect(_ groupID: UUID) async throws -> CampaignResults.Group {
        var request = CollectCampaignResults.Input(organizationID: input.organizationID, groupID: groupID, refreshCounts: false)
        var result = try await context.execute(CollectCampaignResults.self, request, options: Workflows.databaseActivity)
        for _ in 0..<Self.maxChecks where result.inFlight {
            try await context.sleep(for: .seconds(input.metricsWaitSeconds))
            result = try await context.execute(CollectCampaignResults.self, request, options: Workflows.databaseActivity)
        }
        guard result.posts.contains(where: { $0.state == PostState.published.rawValue }) else { return result }
        request.refreshCounts = true
        _ = try await context.execute(CollectCampaignResults.self, request, options: Workflows.databaseActivity)
        try await context.sleep(for: .seconds(input.metricsWaitSeconds))
        request.refreshCounts = false
        return try await context.execute(CollectCampaignResults.self, request, options: Workflows.databaseActivity)
    }

    package func run() async throws -> State {
        try setStatus(state.status)
        let review = try await context.executeChild(
            ApprovalWorkflow.self, id: Self.reviewID(input.campaignID),
            input: ApprovalWorkflow.Input(
                organizationID: input.organizationID, groupID: input.groupIDs[0], submittedBy: input.createdBy,
                remindEverySeconds: input.remindEverySeconds, escalateAfterSeconds: input.escalateAfterSeconds,
                groupIDs: input.groupIDs, subject: "Campaign “\(input.name)”"
            ),
            options: ChildWorkflowOptions(searchAttributes: [Workflows.organizationAttribute: input.organizationID.uuidString])
        )
        state.review = review
        guard review.status == "approved" else {
            try setStatus("rejected")
            return state
        }
        try setStatus("running")
        let schedule = try await context.execute(
            ReadCampaignSchedule.self, .init(organizationID: input.organizationID, groupIDs: input.groupIDs), options: Workflows.databaseActivity
        )
        state.collections = schedule.groups.map { group in
            Collection(groupID: group.groupID, at: (group.lastPublishAt ?? context.now).addingTimeInterval(TimeInterval(input.resultsAfterSeconds)))
        }
        .sorted { ($0.at, $0.groupID.uuidString) < ($1.at, $1.groupID.uuidString) }
        for collection in state.collections {
            let wait = collection.at.timeIntervalSince(context.now)
            if wait > 0 { try await context.sleep(for: .milliseconds(Int64(wait * 1000))) }
            state.results.append(try await collect(collection.groupID))
        }
        try setStatus("finished")
        _ = try await context.execute(
            NotifyOrganization.self,
            .init(organizationID: input.organizationID, groupID: input.groupIDs[0], kind: "campaign.finished",
                  message: "Campaign “\(input.name)”: results collected for \(state.results.count) post group(s).", notificationID: context.uuid()),
            options: Workflows.databaseActivity
        )
        return state
    }
}
