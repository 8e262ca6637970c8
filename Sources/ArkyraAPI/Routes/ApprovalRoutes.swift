import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/organizations/:organization/posts/:post/approval[/decision|/resubmit]` (the group holding the post)
/// and `/api/v1/organizations/:organization/workflows`: approvals and the organization's workflow runs on Temporal.
struct ApprovalRoutes {
    let organizations: OrganizationService
    let approvals: ApprovalService
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

    struct RunList: Encodable {
        var workflows: [ApprovalService.Run]
        var nextPageToken: String?
    }

    /// Routes under `organizations/:organization/posts/:post`.
    func add(toPost group: RouterGroup<AuthenticatedContext>) {
        group.post("approval") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let body = try await JSONBody.decode(SubmitBody.self, from: request, maxBytes: maxBodyBytes)
            var problems: [String: String] = [:]
            for (field, value) in [("remind_every_minutes", body.remindEveryMinutes), ("escalate_after_minutes", body.escalateAfterMinutes)] {
                if let value, !(1...(90 * 24 * 60)).contains(value) { problems[field] = "must be between 1 and 129600 (90 days)" }
            }
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
    }

    /// Routes under `organizations/:organization`.
    func add(toOrganization group: RouterGroup<AuthenticatedContext>) {
        group.get("workflows") { request, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            let parameters = request.uri.queryParameters
            let page = try await approvals.runs(
                organizationID: organization.id, type: parameters["type"].map(String.init), pageToken: parameters["page_token"].map(String.init)
            )
            return try JSONBody.response(RunList(workflows: page.runs, nextPageToken: page.nextPageToken))
        }
    }
}
