import Foundation
import PostgresNIO

/// Whole post groups, duplicate texts, the times a channel is busy, and moving a post between draft and
/// scheduled.
extension PostRepository {
    /// The organization's posts of group `groupID` (heads and thread items), in order.
    package func group(_ groupID: UUID, organizationID: UUID, client: Database) async throws -> [Post] {
        try await Self.decode(client.query(
            """
            SELECT \(unescaped: Self.columns) FROM posts
            WHERE group_id = \(groupID) AND organization_id = \(organizationID) AND deleted_at IS NULL
            ORDER BY integration_id, position
            """,
            logger: logger
        ))
    }

    /// Another live post of `post`'s channel, in another group, with the same text (ignoring case and
    /// surrounding space) due within `window` seconds of `time`; nil when there is none.
    package func sameContent(as post: Post, around time: Date, within window: TimeInterval, client: Database) async throws -> UUID? {
        let rows = try await client.query(
            """
            SELECT id FROM posts
            WHERE integration_id = \(post.integrationID) AND group_id <> \(post.groupID) AND deleted_at IS NULL AND state <> 'failed'
              AND publish_at BETWEEN \(time.addingTimeInterval(-window)) AND \(time.addingTimeInterval(window))
              AND lower(btrim(content)) = lower(btrim(\(post.content)))
            LIMIT 1
            """,
            logger: logger
        )
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }

    /// The publish times of a channel's live posts within `from..<to`.
    package func publishTimes(integrationID: UUID, from: Date, to: Date, client: Database) async throws -> [Date] {
        let rows = try await client.query(
            """
            SELECT publish_at FROM posts WHERE integration_id = \(integrationID) AND deleted_at IS NULL
              AND publish_at >= \(from) AND publish_at < \(to) AND state NOT IN ('failed')
            """,
            logger: logger
        )
        var times: [Date] = []
        for try await time in rows.decode(Date.self) { times.append(time) }
        return times
    }

    /// Moves a post between `draft` and `scheduled` (nothing else), in the caller's transaction.
    package func setState(_ state: PostState, id: UUID, publishAt: Date?, on connection: PostgresConnection) async throws -> Post? {
        try await Self.decode(connection.query(
            """
            UPDATE posts SET state = \(state.rawValue), publish_at = coalesce(\(publishAt), publish_at), updated_at = now()
            WHERE id = \(id) AND state IN ('draft', 'scheduled') AND deleted_at IS NULL
            RETURNING \(unescaped: Self.columns)
            """,
            logger: logger
        )).first
    }
}
