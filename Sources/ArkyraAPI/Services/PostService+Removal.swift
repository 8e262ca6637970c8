import ArkyraCore
import Foundation

/// Taking a published post down from its platform (the post stays in ARKYRA with its history).
extension PostService {
    /// Asks a worker to delete the post on its platform; answers with the post, whose `platform_removal` says
    /// how far that got. Asking again while it is requested or done changes nothing; after a failure it asks
    /// again.
    /// - Throws: 404 for an unknown post; 409 when it is not published; 422 when its platform cannot delete.
    func requestRemoval(organizationID: UUID, postID rawID: String, by userID: UUID?, origin: RequestOrigin) async throws -> Post {
        guard let id = UUID(uuidString: rawID) else { throw APIError.notFound("post") }
        let current = try await find(organizationID: organizationID, postID: rawID)
        guard current.state == .published, current.platformPostID != nil else {
            throw APIError(.conflict, "post_not_published", "this post is \(current.state.rawValue), not published; only a published post can be taken down from its platform")
        }
        let channel = try await integrations.find(ids: [current.integrationID], organizationID: organizationID, client: database).first
        guard let provider = channel.flatMap({ providers.provider(for: $0.provider) }), provider.deletesPosts else {
            let name = channel.flatMap { providers.provider(for: $0.provider)?.displayName } ?? "this channel's platform"
            throw APIError(.unprocessableContent, "removal_unsupported", "\(name) posts cannot be deleted through its API; delete it on the platform itself")
        }
        let asked = try await database.inTransaction(logger: logger) { connection -> Post? in
            guard let post = try await posts.requestRemoval(id: id, organizationID: organizationID, by: userID, on: connection) else { return nil }
            try await audit.record(AuditEvent(
                organizationID: organizationID, actorUserID: userID, action: "post.removal_requested", targetType: "post", targetID: id.uuidString, origin: origin
            ), on: connection)
            return post
        }
        guard let post = asked else {
            // Already requested or done (or changed meanwhile): the post as it is says which.
            let now = try await find(organizationID: organizationID, postID: rawID)
            guard now.platformRemoval != nil, now.platformRemoval?.state != .failed else {
                throw APIError(.conflict, "post_not_published", "this post is \(now.state.rawValue), not published; only a published post can be taken down from its platform")
            }
            return now
        }
        // After the commit: a worker handed the job earlier would find nothing requested. When Redis refuses, the
        // reconciler creates the job later.
        do {
            try await queue.schedule(UnpublishJob(postID: post.id, organizationID: organizationID).job(requestID: origin.requestID), at: Date())
        } catch {
            logger.warning("take-down stored but its job not scheduled; the reconciler will schedule it", metadata: ["post_id": "\(post.id)", "error": "\(error)"])
        }
        return post
    }
}
