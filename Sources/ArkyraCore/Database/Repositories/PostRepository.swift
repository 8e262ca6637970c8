import Foundation
import Logging
import PostgresNIO

/// Posts: creating groups, the calendar query, and the state changes of publishing.
public struct PostRepository: Sendable {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// One channel variant to insert.
    public struct NewPost: Sendable {
        public var integrationID: UUID
        public var content: String

        public init(integrationID: UUID, content: String) {
            self.integrationID = integrationID
            self.content = content
        }
    }

    static let columns = """
        id, organization_id, group_id, parent_id, position, integration_id, content, state, publish_at, time_zone,
        platform_post_id, platform_url, error, published_at, created_at, updated_at
        """

    /// Inserts the variants of one post group, all in `state`, and returns them in order.
    public func createGroup(
        organizationID: UUID, authorID: UUID, posts: [NewPost], state: PostState, publishAt: Date, timeZone: String,
        on connection: PostgresConnection
    ) async throws -> [Post] {
        let groupID = UUID()
        var created: [Post] = []
        for post in posts {
            let rows = try await connection.query(
                """
                INSERT INTO posts (organization_id, group_id, integration_id, content, state, publish_at, time_zone, created_by)
                VALUES (\(organizationID), \(groupID), \(post.integrationID), \(post.content), \(state.rawValue), \(publishAt),
                        \(timeZone), \(authorID))
                RETURNING \(unescaped: Self.columns)
                """,
                logger: logger
            )
            created += try await Self.decode(rows)
        }
        return created
    }

    /// One post of an organization, or nil.
    public func find(id: UUID, organizationID: UUID, client: PostgresClient) async throws -> Post? {
        try await Self.decode(client.query(
            """
            SELECT \(unescaped: Self.columns) FROM posts
            WHERE id = \(id) AND organization_id = \(organizationID) AND deleted_at IS NULL
            """,
            logger: logger
        )).first
    }

    /// The organization's posts with `from <= publish_at < to`, in time order, at most `limit`.
    public func list(organizationID: UUID, from: Date, to: Date, limit: Int, client: PostgresClient) async throws -> [Post] {
        try await Self.decode(client.query(
            """
            SELECT \(unescaped: Self.columns) FROM posts
            WHERE organization_id = \(organizationID) AND deleted_at IS NULL
              AND publish_at >= \(from) AND publish_at < \(to)
            ORDER BY publish_at, id LIMIT \(limit)
            """,
            logger: logger
        ))
    }

    /// Moves a scheduled post to `publishing` and returns it; nil when it is not scheduled any more (published,
    /// deleted, or claimed by another worker), which is what makes a duplicated job harmless.
    public func claimForPublishing(id: UUID, client: PostgresClient) async throws -> Post? {
        try await Self.decode(client.query(
            """
            UPDATE posts SET state = 'publishing', updated_at = now()
            WHERE id = \(id) AND state = 'scheduled' AND deleted_at IS NULL
            RETURNING \(unescaped: Self.columns)
            """,
            logger: logger
        )).first
    }

    /// Records a successful publish.
    public func markPublished(id: UUID, platformPostID: String, platformURL: String?, client: PostgresClient) async throws {
        try await client.query(
            """
            UPDATE posts SET state = 'published', platform_post_id = \(platformPostID), platform_url = \(platformURL),
                   error = NULL, published_at = now(), updated_at = now()
            WHERE id = \(id) AND state = 'publishing'
            """,
            logger: logger
        )
    }

    /// Hands a post a worker holds back to the schedule (for a retry or after a rate limit).
    public func returnToSchedule(id: UUID, error: String?, client: PostgresClient) async throws {
        try await client.query(
            """
            UPDATE posts SET state = 'scheduled', error = \(error), updated_at = now()
            WHERE id = \(id) AND state = 'publishing'
            """,
            logger: logger
        )
    }

    /// Records a failed (or unconfirmed) publish with the platform's message.
    public func markFinished(id: UUID, state: PostState, error: String, client: PostgresClient) async throws {
        try await client.query(
            """
            UPDATE posts SET state = \(state.rawValue), error = \(error), updated_at = now()
            WHERE id = \(id) AND state = 'publishing'
            """,
            logger: logger
        )
    }

    private typealias Columns = (UUID, UUID, UUID, UUID?, Int, UUID, String, String, Date?, String, String?, String?, String?, Date?, Date, Date)

    private static func decode(_ rows: PostgresRowSequence) async throws -> [Post] {
        var result: [Post] = []
        for try await row in rows.decode(Columns.self) {
            result.append(Post(
                id: row.0, organizationID: row.1, groupID: row.2, parentID: row.3, position: row.4, integrationID: row.5,
                content: row.6, state: PostState(rawValue: row.7) ?? .failed, publishAt: row.8, timeZone: row.9,
                platformPostID: row.10, platformURL: row.11, error: row.12, publishedAt: row.13, createdAt: row.14, updatedAt: row.15
            ))
        }
        return result
    }
}
