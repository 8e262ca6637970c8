import Foundation
import Logging
import PostgresNIO

/// Posts: creating groups, the calendar query, and the state changes of publishing.
package struct PostRepository: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    /// One channel variant to insert, with the thread items that follow it.
    package struct NewPost: Sendable {
        package var integrationID: UUID
        package var content: String
        package var thread: [ThreadItem]
        /// Library files the first item carries, in order.
        package var mediaIDs: [UUID]

        package init(integrationID: UUID, content: String, thread: [ThreadItem] = [], mediaIDs: [UUID] = []) {
            self.integrationID = integrationID
            self.content = content
            self.thread = thread
            self.mediaIDs = mediaIDs
        }
    }

    /// A reply in a thread: its text and how long after the item before it it is published.
    package struct ThreadItem: Sendable {
        package var content: String
        package var delaySeconds: Int
        package var mediaIDs: [UUID]

        package init(content: String, delaySeconds: Int, mediaIDs: [UUID] = []) {
            self.content = content
            self.delaySeconds = delaySeconds
            self.mediaIDs = mediaIDs
        }
    }

    static let columns = """
        id, organization_id, group_id, parent_id, position, integration_id, content, state, publish_at, time_zone,
        platform_post_id, platform_url, error, published_at, created_at, updated_at, attempt, recurrence::text, platform_removal::text
        """

    /// Inserts the variants of one post group (`groupID`, new by default), all in `state`, and returns them in order.
    package func createGroup(
        organizationID: UUID, authorID: UUID?, posts: [NewPost], state: PostState, publishAt: Date, timeZone: String,
        recurrence: Recurrence? = nil, groupID: UUID = UUID(), on connection: PostgresConnection
    ) async throws -> [Post] {
        let recurrenceJSON = try recurrence.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        var created: [Post] = []
        for post in posts {
            let rows = try await connection.query(
                """
                INSERT INTO posts (organization_id, group_id, integration_id, content, state, publish_at, time_zone, created_by, recurrence)
                VALUES (\(organizationID), \(groupID), \(post.integrationID), \(post.content), \(state.rawValue), \(publishAt),
                        \(timeZone), \(authorID), \(recurrenceJSON)::jsonb)
                RETURNING \(unescaped: Self.columns)
                """,
                logger: logger
            )
            var head = try await Self.decode(rows)
            if let first = head.first { head[0].mediaIDs = try await attach(post.mediaIDs, to: first.id, on: connection) }
            created += head
            var parentID = head.first?.id
            for (index, item) in post.thread.enumerated() {
                let rows = try await connection.query(
                    """
                    INSERT INTO posts (organization_id, group_id, parent_id, position, integration_id, content, state, time_zone,
                                       created_by, delay_seconds)
                    VALUES (\(organizationID), \(groupID), \(parentID), \(index + 1), \(post.integrationID), \(item.content),
                            \(PostState.waiting.rawValue), \(timeZone), \(authorID), \(item.delaySeconds))
                    RETURNING \(unescaped: Self.columns)
                    """,
                    logger: logger
                )
                var inserted = try await Self.decode(rows)
                if let first = inserted.first { inserted[0].mediaIDs = try await attach(item.mediaIDs, to: first.id, on: connection) }
                created += inserted
                parentID = inserted.first?.id
            }
        }
        return created
    }

    /// Fails every item still waiting below `parentID` in its thread, in the caller's transaction.
    package func failWaitingItems(below parentID: UUID, reason: String, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            WITH RECURSIVE below AS (
                SELECT id FROM posts WHERE parent_id = \(parentID) AND state = 'waiting'
                UNION ALL
                SELECT p.id FROM posts p JOIN below b ON p.parent_id = b.id WHERE p.state = 'waiting'
            )
            UPDATE posts SET state = 'failed', error = \(reason), updated_at = now() WHERE id IN (SELECT id FROM below)
            """,
            logger: logger
        )
    }

    /// The platform id of a published post (the item a reply answers).
    package func platformPostID(of id: UUID, client: Database) async throws -> String? {
        let rows = try await client.query("SELECT platform_post_id FROM posts WHERE id = \(id) AND state = 'published'", logger: logger)
        for try await value in rows.decode(String?.self) { return value }
        return nil
    }

    /// One post of an organization, locked until the end of the caller's transaction (for changing it).
    package func lock(id: UUID, organizationID: UUID, on connection: PostgresConnection) async throws -> Post? {
        try await Self.decode(connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM posts
            WHERE id = \(id) AND organization_id = \(organizationID) AND deleted_at IS NULL FOR UPDATE
            """,
            logger: logger
        )).first
    }

    /// Changes a post's text and time.
    package func update(id: UUID, content: String, publishAt: Date?, on connection: PostgresConnection) async throws -> Post? {
        try await Self.decode(connection.query(
            """
            UPDATE posts SET content = \(content), publish_at = \(publishAt), updated_at = now()
            WHERE id = \(id) RETURNING \(unescaped: Self.columns)
            """,
            logger: logger
        )).first
    }

    /// A post and every live item of its thread below it (released or still waiting), locked, in id order.
    package func lockThread(from id: UUID, organizationID: UUID, on connection: PostgresConnection) async throws -> [Post] {
        try await Self.decode(connection.query(
            """
            WITH RECURSIVE thread AS (
                SELECT id FROM posts WHERE id = \(id) AND organization_id = \(organizationID) AND deleted_at IS NULL
                UNION ALL
                SELECT p.id FROM posts p JOIN thread t ON p.parent_id = t.id WHERE p.deleted_at IS NULL
            )
            SELECT \(unescaped: Self.columns) FROM posts WHERE id IN (SELECT id FROM thread) ORDER BY id FOR UPDATE
            """,
            logger: logger
        ))
    }

    /// Every live post of a group (each channel's post and all its thread items), locked, in id order — one
    /// order for every caller, so that concurrent changes to a group cannot deadlock.
    package func lockGroup(_ groupID: UUID, organizationID: UUID, on connection: PostgresConnection) async throws -> [Post] {
        try await Self.decode(connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM posts
            WHERE group_id = \(groupID) AND organization_id = \(organizationID) AND deleted_at IS NULL
            ORDER BY id FOR UPDATE
            """,
            logger: logger
        ))
    }

    /// A channel's posts that have not gone out yet (scheduled, draft, waiting thread items, publishing),
    /// locked, in id order.
    package func lockUnfinished(integrationID: UUID, organizationID: UUID, on connection: PostgresConnection) async throws -> [Post] {
        try await Self.decode(connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM posts
            WHERE integration_id = \(integrationID) AND organization_id = \(organizationID) AND deleted_at IS NULL
              AND state IN ('scheduled', 'draft', 'waiting', 'publishing')
            ORDER BY id FOR UPDATE
            """,
            logger: logger
        ))
    }

    /// Records what a person found on the platform for a post whose outcome was unknown: it is published
    /// under `platformPostID`. Nil when the post is not `unconfirmed`.
    package func confirmPublished(id: UUID, platformPostID: String, on connection: PostgresConnection) async throws -> Post? {
        try await Self.decode(connection.query(
            """
            UPDATE posts SET state = 'published', platform_post_id = \(platformPostID), error = NULL,
                   published_at = coalesce(published_at, now()), updated_at = now()
            WHERE id = \(id) AND state = 'unconfirmed' AND deleted_at IS NULL
            RETURNING \(unescaped: Self.columns)
            """,
            logger: logger
        )).first
    }

    /// Marks posts deleted. The reconciler and the workers skip deleted posts, so none is published later.
    package func softDelete(ids: [UUID], on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE posts SET deleted_at = now(), updated_at = now() WHERE id = ANY(\(ids))", logger: logger)
    }

    /// One post of an organization, or nil.
    package func find(id: UUID, organizationID: UUID, client: Database) async throws -> Post? {
        try await Self.decode(client.query(
            """
            SELECT \(unescaped: Self.columns) FROM posts
            WHERE id = \(id) AND organization_id = \(organizationID) AND deleted_at IS NULL
            """,
            logger: logger
        )).first
    }

    /// A post a worker now holds, and whether it took it over from a worker that stopped mid-publish.
    package struct Claim: Sendable {
        package var post: Post
        /// True when the post was already `publishing` under `staleOwner`: the platform may have it.
        package var tookOver: Bool
        /// When the post last changed before this claim (for a takeover: about when the stale attempt began).
        package var previouslyUpdatedAt: Date
        /// How many times the platform rate-limited this post, and when it first did.
        package var rateLimitHits: Int
        package var rateLimitedSince: Date?
        /// How many times this post was retried because its platform was unavailable.
        package var unavailableRetries: Int
        /// The post's channel with its stored credentials; nil when the channel was removed.
        package var channel: Channel?
        /// Whether the post carries files (a text post costs no query for them).
        package var hasMedia: Bool
        /// The platform's container an earlier step created, on platforms that publish in steps.
        package var container: PublishContainer?

        /// A claimed post's channel.
        package struct Channel: Sendable {
            package var integration: Integration
            package var credentials: IntegrationRepository.StoredCredentials
            /// Until when the platform rate-limits the channel, as another post of it was told.
            package var rateLimitedUntil: Date?
        }
    }

    /// The thread item a publish released: scheduled now (after its delay).
    package struct ReleasedItem: Sendable, Equatable {
        package var id: UUID
        package var organizationID: UUID
        package var publishAt: Date

        package init(id: UUID, organizationID: UUID, publishAt: Date) {
            self.id = id
            self.organizationID = organizationID
            self.publishAt = publishAt
        }
    }

    /// Hands a held post back to the schedule (for a retry or after a rate limit).
    package func returnToSchedule(id: UUID, attempt: Int, error: String?, countingRetry: Bool, client: Database) async throws {
        let retries = countingRetry ? 1 : 0
        try await client.query(
            """
            UPDATE posts SET state = 'scheduled', error = \(error), lease_owner = NULL, updated_at = now(), platform_container = NULL,
                   unavailable_retries = unavailable_retries + \(retries)
            WHERE id = \(id) AND state = 'publishing' AND attempt = \(attempt)
            """,
            logger: logger
        )
    }

    /// Keeps the container a platform that publishes in steps created for this attempt's post (the first
    /// time: with when it was made), so the next step continues it.
    package func recordContainer(id: UUID, attempt: Int, container: String, client: Database) async throws {
        try await client.query(
            """
            UPDATE posts SET platform_container = \(container),
                   platform_container_since = CASE WHEN platform_container IS DISTINCT FROM \(container) THEN now() ELSE platform_container_since END
            WHERE id = \(id) AND state = 'publishing' AND attempt = \(attempt)
            """,
            logger: logger
        )
    }

    /// Counts one more retry of a post whose platform was unavailable while `attempt` still owns it (a
    /// retry that stays `publishing` under its worker).
    package func countUnavailableRetry(id: UUID, attempt: Int, client: Database) async throws {
        try await client.query(
            "UPDATE posts SET unavailable_retries = unavailable_retries + 1 WHERE id = \(id) AND state = 'publishing' AND attempt = \(attempt)",
            logger: logger
        )
    }

    /// Records a failed (or unconfirmed) publish with the platform's message, if `attempt` is still the post's
    /// current attempt; returns whether it did.
    @discardableResult
    package func markFinished(id: UUID, attempt: Int, state: PostState, error: String, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE posts SET state = \(state.rawValue), error = \(error), lease_owner = NULL, updated_at = now(), platform_container = NULL
            WHERE id = \(id) AND state = 'publishing' AND attempt = \(attempt)
            RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    typealias Columns = (UUID, UUID, UUID, UUID?, Int, UUID, String, String, Date?, String, String?, String?, String?, Date?, Date, Date, Int, String?, String?)

    static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [Post] {
        var result: [Post] = []
        for try await row in rows.decode(Columns.self) {
            result.append(make(row))
        }
        return result
    }

    /// A post from a row holding ``columns`` by their names.
    static func post(_ row: PostgresRandomAccessRow) throws -> Post {
        Post(
            id: try row["id"].decode(UUID.self), organizationID: try row["organization_id"].decode(UUID.self),
            groupID: try row["group_id"].decode(UUID.self), parentID: try row["parent_id"].decode(UUID?.self),
            position: try row["position"].decode(Int.self), integrationID: try row["integration_id"].decode(UUID.self),
            content: try row["content"].decode(String.self), state: PostState(rawValue: try row["state"].decode(String.self)) ?? .failed,
            publishAt: try row["publish_at"].decode(Date?.self), timeZone: try row["time_zone"].decode(String.self),
            platformPostID: try row["platform_post_id"].decode(String?.self), platformURL: try row["platform_url"].decode(String?.self),
            error: try row["error"].decode(String?.self), publishedAt: try row["published_at"].decode(Date?.self),
            createdAt: try row["created_at"].decode(Date.self), updatedAt: try row["updated_at"].decode(Date.self),
            attempt: try row["attempt"].decode(Int.self),
            recurrence: try row["recurrence"].decode(String?.self).flatMap { try? JSONDecoder().decode(Recurrence.self, from: Data($0.utf8)) },
            platformRemoval: PlatformRemoval.parse(try row["platform_removal"].decode(String?.self))
        )
    }

    static func make(_ row: Columns) -> Post {
        Post(
            id: row.0, organizationID: row.1, groupID: row.2, parentID: row.3, position: row.4, integrationID: row.5,
            content: row.6, state: PostState(rawValue: row.7) ?? .failed, publishAt: row.8, timeZone: row.9,
            platformPostID: row.10, platformURL: row.11, error: row.12, publishedAt: row.13, createdAt: row.14, updatedAt: row.15,
            attempt: row.16, recurrence: row.17.flatMap { try? JSONDecoder().decode(Recurrence.self, from: Data($0.utf8)) },
            platformRemoval: PlatformRemoval.parse(row.18)
        )
    }
}
