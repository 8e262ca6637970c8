import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/organizations/:organization/posts/:post/{comments,preview-links}` and the page-less preview API
/// `GET /preview/:token`, `POST /preview/:token/comments` (no login: the link is the key; a browser gets the
/// preview as a page and comments through its form).
struct CollaborationRoutes {
    let organizations: OrganizationService
    let collaboration: CollaborationService
    let maxBodyBytes: Int

    struct CommentBody: StrictDecodable {
        typealias Fields = CodingKeys
        var body: String
        enum CodingKeys: String, CodingKey, CaseIterable { case body }
    }

    struct PreviewCommentBody: StrictDecodable {
        typealias Fields = CodingKeys
        var name: String
        var body: String
        enum CodingKeys: String, CodingKey, CaseIterable { case name, body }
    }

    struct PreviewLinkBody: StrictDecodable {
        typealias Fields = CodingKeys
        var expiresInDays: Int?
        var allowComments: Bool?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case expiresInDays = "expires_in_days"
            case allowComments = "allow_comments"
        }
    }

    struct CommentList: Encodable { var comments: [Comment] }
    struct PreviewLinkList: Encodable { var previewLinks: [PreviewLink] }

    /// Routes under `organizations/:organization/posts/:post`.
    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get("comments") { _, context in
            let (organization, groupID) = try await scope(.readContent, context)
            return try JSONBody.response(CommentList(comments: try await collaboration.comments(organizationID: organization.id, groupID: groupID)))
        }
        group.post("comments") { request, context in
            let (organization, groupID) = try await scope(.readContent, context)
            let body = try await JSONBody.decode(CommentBody.self, from: request, maxBytes: maxBodyBytes)
            let comment = try await collaboration.comment(organizationID: organization.id, groupID: groupID, body: body.body, by: context.userID,
                                                          origin: context.origin(request))
            return try JSONBody.response(comment, status: .created)
        }
        group.delete("comments/:comment") { request, context in
            let (organization, groupID) = try await scope(.readContent, context)
            try await collaboration.deleteComment(try context.parameters.require("comment"), organizationID: organization.id, groupID: groupID,
                                                  by: (context.userID, organization.role), origin: context.origin(request))
            return Response(status: .noContent)
        }
        group.get("preview-links") { _, context in
            let (organization, groupID) = try await scope(.writePosts, context)
            return try JSONBody.response(PreviewLinkList(previewLinks: try await collaboration.previewLinks(organizationID: organization.id, groupID: groupID)))
        }
        group.post("preview-links") { request, context in
            let (organization, groupID) = try await scope(.writePosts, context)
            let body = try await JSONBody.decode(PreviewLinkBody.self, from: request, maxBytes: maxBodyBytes)
            let created = try await collaboration.createPreview(organizationID: organization.id, groupID: groupID, days: body.expiresInDays,
                                                                allowComments: body.allowComments, by: context.userID, origin: context.origin(request))
            return try JSONBody.response(created, status: .created)
        }
        group.delete("preview-links/:link") { request, context in
            let (organization, _) = try await scope(.writePosts, context)
            try await collaboration.revokePreview(try context.parameters.require("link"), organizationID: organization.id, by: context.userID,
                                                  origin: context.origin(request))
            return Response(status: .noContent)
        }
    }

    /// `GET /preview/:token`, `POST /preview/:token/comments`.
    /// A browser gets `page` instead of JSON (PreviewPage).
    func add(preview group: RouterGroup<AppRequestContext>, page: PreviewPage) {
        group.get(":token") { request, context in
            let token = try context.parameters.require("token")
            if PreviewPage.wanted(request) { return try await page.show(request, token: token) }
            return try JSONBody.response(try await collaboration.preview(token: token))
        }
        group.post(":token/comments") { request, context in
            if PreviewPage.wanted(request) { return try await page.comment(request, token: try context.parameters.require("token"), origin: context.origin(request)) }
            let body = try await JSONBody.decode(PreviewCommentBody.self, from: request, maxBytes: maxBodyBytes)
            let comment = try await collaboration.commentOnPreview(token: try context.parameters.require("token"), name: body.name, body: body.body,
                                                                   origin: context.origin(request))
            return try JSONBody.response(comment, status: .created)
        }
    }

    private func scope(_ permission: Permission, _ context: AuthenticatedContext) async throws -> ((id: UUID, role: Role), UUID) {
        let organization = try await organizations.authorize(permission, in: context)
        return (organization, try await collaboration.groupOf(post: try context.parameters.require("post"), organizationID: organization.id))
    }
}
