import Foundation
import PostgresNIO

/// The library files posts carry (`post_media`).
extension PostRepository {
    /// Links `mediaIDs` to a new post, in order; returns them.
    func attach(_ mediaIDs: [UUID], to postID: UUID, on connection: PostgresConnection) async throws -> [UUID] {
        for (position, mediaID) in mediaIDs.enumerated() {
            try await connection.query(
                "INSERT INTO post_media (post_id, media_id, position) VALUES (\(postID), \(mediaID), \(position))", logger: logger
            )
        }
        return mediaIDs
    }

    /// `posts` with the files each carries.
    package func attachMedia(to posts: [Post], client: Database) async throws -> [Post] {
        guard !posts.isEmpty else { return posts }
        let rows = try await client.query(
            """
            SELECT post_id, array_agg(media_id ORDER BY position) FROM post_media WHERE post_id = ANY(\(posts.map(\.id))::uuid[]) GROUP BY post_id
            """,
            logger: logger
        )
        var media: [UUID: [UUID]] = [:]
        for try await (postID, ids) in rows.decode((UUID, [UUID]).self) { media[postID] = ids }
        return posts.map { post in
            var post = post
            post.mediaIDs = media[post.id] ?? []
            return post
        }
    }

    /// A post that carries a file, as the library shows it.
    package struct MediaUse: Sendable, Codable, Equatable {
        package var postID: UUID
        package var groupID: UUID
        package var integrationID: UUID
        package var state: PostState
        package var publishAt: Date?
    }

    /// The posts that carry `mediaID` (newest first, at most 500).
    package func uses(ofMedia mediaID: UUID, organizationID: UUID, client: Database) async throws -> [MediaUse] {
        let rows = try await client.query(
            """
            SELECT p.id, p.group_id, p.integration_id, p.state, p.publish_at FROM post_media m JOIN posts p ON p.id = m.post_id
            WHERE m.media_id = \(mediaID) AND p.organization_id = \(organizationID) AND p.deleted_at IS NULL
            ORDER BY p.publish_at DESC NULLS LAST, p.id LIMIT 500
            """,
            logger: logger
        )
        var uses: [MediaUse] = []
        for try await (id, group, integration, state, publishAt) in rows.decode((UUID, UUID, UUID, String, Date?).self) {
            uses.append(MediaUse(postID: id, groupID: group, integrationID: integration, state: PostState(rawValue: state) ?? .draft, publishAt: publishAt))
        }
        return uses
    }
}
