import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// Working on a post together: comments on its group, and preview links that show it (and take comments)
/// without logging in.
struct CollaborationService: Sendable {
    let database: Database
    let posts: PostRepository
    let integrations: IntegrationRepository
    let comments: CommentRepository
    let previews: PreviewLinkRepository
    let users: UserRepository
    let audit: AuditRepository
    let logger: Logger
    static let previewLifetimeDays = 1...90

    /// A new preview link with its secret, shown once.
    struct CreatedPreview: Encodable {
        var previewLink: PreviewLink
        var token: String
        /// The page path to share.
        var url: String
    }

    /// What a preview link shows.
    struct Preview: Encodable {
        var groupID: UUID
        var posts: [PreviewPost]
        var comments: [Comment]
        var allowComments: Bool
    }

    struct PreviewPost: Encodable {
        var id: UUID
        var parentID: UUID?
        var channel: String
        var provider: String
        var content: String
        var state: PostState
        var publishAt: Date?
    }

    /// The post's group, once it is known to belong to the organization (404 otherwise).
    func groupOf(post rawID: String, organizationID: UUID) async throws -> UUID {
        guard let id = UUID(uuidString: rawID), let post = try await posts.find(id: id, organizationID: organizationID, client: database) else {
            throw APIError.notFound("post")
        }
        return post.groupID
    }

    func comments(organizationID: UUID, groupID: UUID) async throws -> [Comment] {
        try await comments.list(organizationID: organizationID, groupID: groupID, client: database)
    }

    func comment(organizationID: UUID, groupID: UUID, body rawBody: String, by userID: UUID, origin: RequestOrigin) async throws -> Comment {
        let body = try Self.checkedBody(rawBody)
        guard let author = try await users.find(id: userID, client: database) else { throw APIError.notFound("user") }
        return try await database.inTransaction(logger: logger) { connection in
            let comment = try await comments.create(
                organizationID: organizationID, groupID: groupID, authorID: userID, authorName: author.name.isEmpty ? author.email : author.name,
                viaPreview: false, body: body, on: connection
            )
            try await audit.record(
                AuditEvent(organizationID: organizationID, actorUserID: userID, action: "comment.created", targetType: "post_group",
                           targetID: groupID.uuidString, origin: origin),
                on: connection
            )
            return comment
        }
    }

    /// Deletes a comment: your own, or anyone's for admins and owners.
    func deleteComment(_ rawID: String, organizationID: UUID, groupID: UUID, by actor: (id: UUID, role: Role), origin: RequestOrigin) async throws {
        guard let id = UUID(uuidString: rawID) else { throw APIError.notFound("comment") }
        let event = AuditEvent(organizationID: organizationID, actorUserID: actor.id, action: "comment.deleted", targetType: "comment",
                               targetID: id.uuidString, origin: origin)
        let deleted = try await audit.recordingIfChanged(event, database: database, logger: logger) { connection in
            try await comments.delete(id: id, organizationID: organizationID, groupID: groupID, authorID: actor.id,
                                      anyAuthor: actor.role >= .admin, on: connection)
        }
        if !deleted { throw APIError.notFound("comment (of yours)") }
    }

    func createPreview(organizationID: UUID, groupID: UUID, days: Int?, allowComments: Bool?, by userID: UUID, origin: RequestOrigin) async throws -> CreatedPreview {
        let days = days ?? 14
        guard Self.previewLifetimeDays.contains(days) else { throw APIError.validation(["expires_in_days": "must be 1 to 90"]) }
        let token = SecretToken.generate(prefix: "pv_")
        let link = try await database.inTransaction(logger: logger) { connection in
            let link = try await previews.create(
                organizationID: organizationID, groupID: groupID, tokenHash: SecretToken.hash(token), allowComments: allowComments ?? true,
                createdBy: userID, expiresAt: Date().addingTimeInterval(Double(days) * 86_400), on: connection
            )
            try await audit.record(
                AuditEvent(organizationID: organizationID, actorUserID: userID, action: "preview_link.created", targetType: "post_group",
                           targetID: groupID.uuidString, origin: origin),
                on: connection
            )
            return link
        }
        return CreatedPreview(previewLink: link, token: token, url: "/preview/\(token)")
    }

    func previewLinks(organizationID: UUID, groupID: UUID) async throws -> [PreviewLink] {
        try await previews.list(organizationID: organizationID, groupID: groupID, client: database)
    }

    func revokePreview(_ rawID: String, organizationID: UUID, by userID: UUID, origin: RequestOrigin) async throws {
        guard let id = UUID(uuidString: rawID) else { throw APIError.notFound("preview link") }
        let event = AuditEvent(organizationID: organizationID, actorUserID: userID, action: "preview_link.revoked", targetType: "preview_link",
                               targetID: id.uuidString, origin: origin)
        let revoked = try await audit.recordingIfChanged(event, database: database, logger: logger) { connection in
            try await previews.revoke(id: id, organizationID: organizationID, on: connection)
        }
        if !revoked { throw APIError.notFound("preview link") }
    }

    /// What the link shows. 404 for an unknown, revoked or expired link.
    func preview(token: String) async throws -> Preview {
        let (link, organizationID) = try await resolve(token)
        let group = try await posts.group(link.groupID, organizationID: organizationID, client: database)
        let channels = try await integrations.find(ids: Array(Set(group.map(\.integrationID))), organizationID: organizationID, client: database)
        let byID = Dictionary(channels.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return Preview(
            groupID: link.groupID,
            posts: group.map { post in
                PreviewPost(id: post.id, parentID: post.parentID, channel: byID[post.integrationID]?.name ?? "", provider: byID[post.integrationID]?.provider ?? "",
                            content: post.content, state: post.state, publishAt: post.publishAt)
            },
            comments: try await comments.list(organizationID: organizationID, groupID: link.groupID, client: database),
            allowComments: link.allowComments
        )
    }

    /// A comment from someone holding the link. 403 when the link does not take comments.
    func commentOnPreview(token: String, name rawName: String, body rawBody: String, origin: RequestOrigin) async throws -> Comment {
        let (link, organizationID) = try await resolve(token)
        guard link.allowComments else { throw APIError(.forbidden, "comments_closed", "this preview does not take comments") }
        let name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        var fields: [String: String] = [:]
        if !(1...200).contains(name.count) { fields["name"] = "must be 1 to 200 characters" }
        let body = try? Self.checkedBody(rawBody)
        if body == nil { fields["body"] = "must be 1 to 5000 characters" }
        guard fields.isEmpty, let body else { throw APIError.validation(fields) }
        return try await database.inTransaction(logger: logger) { connection in
            let comment = try await comments.create(
                organizationID: organizationID, groupID: link.groupID, authorID: nil, authorName: name, viaPreview: true, body: body, on: connection
            )
            try await audit.record(
                AuditEvent(organizationID: organizationID, actorUserID: nil, action: "comment.created_via_preview", targetType: "post_group",
                           targetID: link.groupID.uuidString, origin: origin),
                on: connection
            )
            return comment
        }
    }

    private func resolve(_ token: String) async throws -> (PreviewLink, UUID) {
        guard token.hasPrefix("pv_"), token.count < 200,
              let found = try await previews.find(tokenHash: SecretToken.hash(token), client: database)
        else { throw APIError(.notFound, "preview_not_found", "this preview link does not exist, was revoked or has expired") }
        return (found.link, found.organizationID)
    }

    static func checkedBody(_ raw: String) throws -> String {
        let body = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...5000).contains(body.count) else { throw APIError.validation(["body": "must be 1 to 5000 characters"]) }
        return body
    }
}
