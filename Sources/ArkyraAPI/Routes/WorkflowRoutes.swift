import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird

/// The workflows on Temporal: `/api/v1/organizations/:organization/posts/:post/approval[/decision|/resubmit]` and
/// `…/posts/:post/series[/pause|/resume|/stop]` (of the group holding the post),
/// `/api/v1/organizations/:organization/campaigns[/:campaign[/review|/resubmit|/cancel]]`, and
/// `/api/v1/organizations/:organization/workflows` (the organization's runs).
struct WorkflowRoutes {
    let organizations: OrganizationService
    let access: WorkflowAccess
    let approvals: ApprovalService
    let series: SeriesService
    let campaigns: CampaignService
    let maxBodyBytes: Int

    struct SubmitBody: StrictDecodable {
        typealias Fields = CodingKeys
        var remindEveryMinutes: Int?
        var escalateAfterMinutes: Int?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case remindEveryMinutes = "remind_every_minutes"
            case escalateAfterMinutes = "escalate_after_minutes"
        }
    }

    struct DecisionBody: StrictDecodable {
        typealias Fields = CodingKeys
        var verdict: String
        var comment: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case verdict, comment }
    }

    struct SeriesBody: StrictDecodable {
        typealias Fields = CodingKeys
        var recurrence: PostRoutes.RecurrenceBody
        var firstAt: String
        var timeZone: String?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case recurrence
            case firstAt = "first_at"
            case timeZone = "time_zone"
        }

        static func unknownFields(in object: [String: Any], path: String) -> [String: String] {
            var unknown = ownUnknownFields(in: object, path: path)
            if let recurrence = object["recurrence"] as? [String: Any] {
                unknown.merge(PostRoutes.RecurrenceBody.unknownFields(in: recurrence, path: "recurrence.")) { first, _ in first }
            }
            return unknown
        }
    }

    struct CampaignBody: StrictDecodable {
        typealias Fields = CodingKeys
        var name: String
        var postIds: [String]
        var resultsAfterMinutes: Int?
        var remindEveryMinutes: Int?
        var escalateAfterMinutes: Int?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case name
            case postIds = "post_ids"
            case resultsAfterMinutes = "results_after_minutes"
            case remindEveryMinutes = "remind_every_minutes"
            case escalateAfterMinutes = "escalate_after_minutes"
        }
    }

    struct RunList: Encodable {
        var workflows: [WorkflowAccess.Run]
        var nextPageToken: String?
    }

    /// Routes under `organizations/:organization/posts/:post`.
    func add(toPost group: RouterGroup<AuthenticatedContext>) {
        group.post("approval") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let body = try await JSONBody.decode(SubmitBody.self, from: request, maxBytes: maxBodyBytes)
            let problems = ApprovalService.minutesProblems([("remind_every_minutes", body.remindEveryMinutes),
                                                            ("escalate_after_minutes", body.escalateAfterMinutes)])
            guard problems.isEmpty else { throw APIError.validation(problems) }
            let approval = try await approvals.submit(
                organizationID: organization.id, postID: try context.parameters.require("post"), remindEveryMinutes: body.remindEveryMinutes,
                escalateAfterMinutes: body.escalateAfterMinutes, by: context.userID, origin: context.origin(request)
            )
            return try JSONBody.response(approval, status: .created)
        }
        group.get("approval") { _, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            return try JSONBody.response(try await approvals.approval(organizationID: organization.id, postID: try context.parameters.require("post")))
        }
        group.post("approval/decision") { request, context in
            let organization = try await organizations.authorize(.approvePosts, in: context)
            let body = try await JSONBody.decode(DecisionBody.self, from: request, maxBytes: maxBodyBytes)
            let approval = try await approvals.decide(
                organizationID: organization.id, postID: try context.parameters.require("post"), verdict: body.verdict, comment: body.comment,
                by: context.userID, origin: context.origin(request)
            )
            return try JSONBody.response(approval, status: .accepted)
        }
        group.post("approval/resubmit") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let approval = try await approvals.resubmit(
                organizationID: organization.id, postID: try context.parameters.require("post"), by: context.userID, origin: context.origin(request)
            )
            return try JSONBody.response(approval, status: .accepted)
        }
        group.post("series") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let body = try await JSONBody.decode(SeriesBody.self, from: request, maxBytes: maxBodyBytes)
            let started = try await series.start(
                organizationID: organization.id, postID: try context.parameters.require("post"),
                recurrence: .init(unit: body.recurrence.unit, every: body.recurrence.every, cron: body.recurrence.cron),
                firstAt: body.firstAt, timeZone: body.timeZone, by: context.userID, origin: context.origin(request)
            )
            return try JSONBody.response(started, status: .created)
        }
        group.get("series") { _, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            return try JSONBody.response(try await series.series(organizationID: organization.id, postID: try context.parameters.require("post")))
        }
        for signal in ["pause", "resume", "stop"] {
            group.post("series/\(signal)") { request, context in
                let organization = try await organizations.authorize(.writePosts, in: context)
                let current = try await series.signal(signal, organizationID: organization.id, postID: try context.parameters.require("post"),
                                                      by: context.userID, origin: context.origin(request))
                return try JSONBody.response(current, status: .accepted)
            }
        }
    }

    /// Routes under `organizations/:organization`.
    func add(toOrganization group: RouterGroup<AuthenticatedContext>) {
        group.get("workflows") { request, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            let parameters = request.uri.queryParameters
            let page = try await access.runs(
                organizationID: organization.id, type: parameters["type"].map(String.init), pageToken: parameters["page_token"].map(String.init)
            )
            return try JSONBody.response(RunList(workflows: page.runs, nextPageToken: page.nextPageToken))
        }
        group.post("campaigns") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let body = try await JSONBody.decode(CampaignBody.self, from: request, maxBytes: maxBodyBytes)
            let campaign = try await campaigns.create(
                organizationID: organization.id,
                .init(name: body.name, postIDs: body.postIds, resultsAfterMinutes: body.resultsAfterMinutes,
                      remindEveryMinutes: body.remindEveryMinutes, escalateAfterMinutes: body.escalateAfterMinutes),
                by: context.userID, origin: context.origin(request)
            )
            return try JSONBody.response(campaign, status: .created)
        }
        group.get("campaigns/:campaign") { _, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            return try JSONBody.response(try await campaigns.campaign(organizationID: organization.id, campaignID: try context.parameters.require("campaign")))
        }
        group.post("campaigns/:campaign/review") { request, context in
            let organization = try await organizations.authorize(.approvePosts, in: context)
            let body = try await JSONBody.decode(DecisionBody.self, from: request, maxBytes: maxBodyBytes)
            let campaign = try await campaigns.review(
                organizationID: organization.id, campaignID: try context.parameters.require("campaign"), verdict: body.verdict, comment: body.comment,
                by: context.userID, origin: context.origin(request)
            )
            return try JSONBody.response(campaign, status: .accepted)
        }
        group.post("campaigns/:campaign/resubmit") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let campaign = try await campaigns.resubmit(organizationID: organization.id, campaignID: try context.parameters.require("campaign"),
                                                        by: context.userID, origin: context.origin(request))
            return try JSONBody.response(campaign, status: .accepted)
        }
        group.post("campaigns/:campaign/cancel") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let campaign = try await campaigns.cancel(organizationID: organization.id, campaignID: try context.parameters.require("campaign"),
                                                      by: context.userID, origin: context.origin(request))
            return try JSONBody.response(campaign, status: .accepted)
        }
    }
}
