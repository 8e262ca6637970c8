import ArkyraCore
import Foundation

/// Removing a channel, which takes its posts that have not gone out yet with it.
extension PostService {
    /// Removes the channel and deletes its scheduled, draft and waiting posts in one transaction (their jobs
    /// are cancelled after the commit); published and failed posts stay as history.
    /// - Throws: 404 for another organization's channel; 409 while one of its posts is being published.
    func removeChannel(organizationID: UUID, integrationID rawID: String, by userID: UUID?, origin: RequestOrigin) async throws -> Integration {
        guard let id = UUID(uuidString: rawID),
              let channel = try await integrations.find(ids: [id], organizationID: organizationID, client: database).first
        else { throw APIError.notFound("integration") }
        let deleted = try await database.inTransaction(logger: logger) { connection -> [UUID] in
            let unfinished = try await posts.lockUnfinished(integrationID: id, organizationID: organizationID, on: connection)
            let deleted = try await deleteLocked(unfinished, recording: AuditEvent(
                organizationID: organizationID, actorUserID: userID, action: "integration.removed", targetType: "integration",
                targetID: id.uuidString, origin: origin
            ), on: connection)
            // Thrown inside the transaction: the posts' deletion rolls back with it.
            guard try await integrations.softDelete(id: id, organizationID: organizationID, on: connection) else {
                throw APIError.notFound("integration")
            }
            return deleted
        }
        await cancelJobs(of: deleted)
        return channel
    }
}

/// A person's answer for a post whose outcome was unknown.
extension PostService {
    /// Records that an `unconfirmed` post is on the platform under `releaseID` (Postiz's "release id"):
    /// it becomes `published`.
    /// - Throws: 404; 409 for a post that is not unconfirmed; 422 for an empty or over-long id.
    func confirmPublished(organizationID: UUID, postID rawID: String, releaseID: String, by userID: UUID?, origin: RequestOrigin) async throws -> Post {
        guard let id = UUID(uuidString: rawID) else { throw APIError.notFound("post") }
        let releaseID = releaseID.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...500).contains(releaseID.count) else { throw APIError.validation(["releaseId": "must be the platform's id of the post, 1 to 500 characters"]) }
        return try await database.inTransaction(logger: logger) { connection in
            guard let post = try await posts.lock(id: id, organizationID: organizationID, on: connection) else { throw APIError.notFound("post") }
            guard post.state == .unconfirmed, let confirmed = try await posts.confirmPublished(id: id, platformPostID: releaseID, on: connection) else {
                throw APIError(.conflict, "post_not_unconfirmed",
                               "this post is \(post.state.rawValue); only a post whose outcome is unknown (unconfirmed) can be given its platform id")
            }
            try await audit.record(
                AuditEvent(organizationID: organizationID, actorUserID: userID, action: "post.confirmed", targetType: "post", targetID: id.uuidString, origin: origin),
                on: connection
            )
            return confirmed
        }
    }
}
