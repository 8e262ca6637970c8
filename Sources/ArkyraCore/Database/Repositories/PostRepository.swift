import Foundation
import Logging
import PostgresNIO

/// Posts: creating groups, the calendar query, and the state changes of publishing.
public struct PostRepository: Sendable {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// One channel variant to insert, with the thread items that follow it.
    public struct NewPost: Sendable {
        public var integrationID: UUID
        public var content: String
        public var thread: [ThreadItem]

        public init(integrationID: UUID, content: String, thread: [ThreadItem] = []) {
            self.integrationID = integrationID
            self.content = content
            self.thread = thread
        }
    }

    /// A reply in a thread: its text and how long after the item before it it is published.
    public struct ThreadItem: Sendable {
        public var content: String
        public var delaySeconds: Int

        public init(content: String, delaySeconds: Int) {
            self.content = content
            self.delaySeconds = delaySeconds
        }
    }

    static let columns = """
        id, organization_id, group_id, parent_id, position, integration_id, content, state, publish_at, time_zone,
        platform_post_id, platform_url, error, published_at, created_at, updated_at, attempt, recurrence::text
        """
    static let qualifiedColumns = columns.split(separator: ",").map { "posts." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")

    /// Inserts the variants of one post group, all in `state`, and returns them in order.
    public func createGroup(
        organizationID: UUID, authorID: UUID?, posts: [NewPost], state: PostState, publishAt: Date, timeZone: String,
        recurrence: Recurrence? = nil, on connection: PostgresConnection
    ) async throws -> [Post] {
        let groupID = UUID()
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
            let head = try await Self.decode(rows)
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
                let inserted = try await Self.decode(rows)
                created += inserted
                parentID = inserted.first?.id
            }
        }
        return created
    }

    /// Tags `postIDs` with the organization's tags named `names`, creating the missing ones.
    public func tag(_ postIDs: [UUID], with names: [String], organizationID: UUID, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO tags (organization_id, name) SELECT \(organizationID), name FROM unnest(\(names)::text[]) AS name
            ON CONFLICT (organization_id, lower(name)) WHERE deleted_at IS NULL DO NOTHING
            """,
            logger: logger
        )
        try await connection.query(
            """
            INSERT INTO post_tags (post_id, tag_id)
            SELECT post.id, t.id FROM unnest(\(postIDs)::uuid[]) AS post(id)
            CROSS JOIN tags t WHERE t.organization_id = \(organizationID) AND t.deleted_at IS NULL AND lower(t.name) = ANY(\(names.map { $0.lowercased() })::text[])
            ON CONFLICT DO NOTHING
            """,
            logger: logger
        )
    }

    /// The tag names of each of `postIDs` (posts without tags are left out).
    public func tagNames(of postIDs: [UUID], client: PostgresClient) async throws -> [UUID: [String]] {
        let rows = try await client.query(
            """
            SELECT pt.post_id, t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
            WHERE pt.post_id = ANY(\(postIDs)::uuid[]) AND t.deleted_at IS NULL ORDER BY t.name
            """,
            logger: logger
        )
        var names: [UUID: [String]] = [:]
        for try await (postID, name) in rows.decode((UUID, String).self) { names[postID, default: []].append(name) }
        return names
    }

    /// The organization's posts of group `groupID` (heads and thread items), in order.
    public func group(_ groupID: UUID, organizationID: UUID, client: PostgresClient) async throws -> [Post] {
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
    public func sameContent(as post: Post, around time: Date, within window: TimeInterval, client: PostgresClient) async throws -> UUID? {
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
    public func publishTimes(integrationID: UUID, from: Date, to: Date, client: PostgresClient) async throws -> [Date] {
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
    public func setState(_ state: PostState, id: UUID, publishAt: Date?, on connection: PostgresConnection) async throws -> Post? {
        try await Self.decode(connection.query(
            """
            UPDATE posts SET state = \(state.rawValue), publish_at = coalesce(\(publishAt), publish_at), updated_at = now()
            WHERE id = \(id) AND state IN ('draft', 'scheduled') AND deleted_at IS NULL
            RETURNING \(unescaped: Self.columns)
            """,
            logger: logger
        )).first
    }

    /// Schedules the thread item that waits for `parentID` (its delay after now), in the caller's transaction.
    public func releaseNextItem(after parentID: UUID, on connection: PostgresConnection) async throws -> Post? {
        try await Self.decode(connection.query(
            """
            UPDATE posts SET state = 'scheduled', publish_at = now() + make_interval(secs => delay_seconds), updated_at = now()
            WHERE parent_id = \(parentID) AND state = 'waiting' AND deleted_at IS NULL
            RETURNING \(unescaped: Self.columns)
            """,
            logger: logger
        )).first
    }

    /// Fails every item still waiting below `parentID` in its thread, in the caller's transaction.
    public func failWaitingItems(below parentID: UUID, reason: String, on connection: PostgresConnection) async throws {
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
    public func platformPostID(of id: UUID, client: PostgresClient) async throws -> String? {
        let rows = try await client.query("SELECT platform_post_id FROM posts WHERE id = \(id) AND state = 'published'", logger: logger)
        for try await value in rows.decode(String?.self) { return value }
        return nil
    }

    /// One post of an organization, locked until the end of the caller's transaction (for changing it).
    public func lock(id: UUID, organizationID: UUID, on connection: PostgresConnection) async throws -> Post? {
        try await Self.decode(connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM posts
            WHERE id = \(id) AND organization_id = \(organizationID) AND deleted_at IS NULL FOR UPDATE
            """,
            logger: logger
        )).first
    }

    /// Changes a post's text and time.
    public func update(id: UUID, content: String, publishAt: Date?, on connection: PostgresConnection) async throws -> Post? {
        try await Self.decode(connection.query(
            """
            UPDATE posts SET content = \(content), publish_at = \(publishAt), updated_at = now()
            WHERE id = \(id) RETURNING \(unescaped: Self.columns)
            """,
            logger: logger
        )).first
    }

    /// Marks a post deleted (kept for the audit trail; invisible everywhere else), with the thread items that
    /// still wait below it (they could never be published without it).
    public func softDelete(id: UUID, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            WITH RECURSIVE doomed AS (
                SELECT \(id)::uuid AS id
                UNION ALL
                SELECT p.id FROM posts p JOIN doomed d ON p.parent_id = d.id WHERE p.state = 'waiting'
            )
            UPDATE posts SET deleted_at = now(), updated_at = now() WHERE id IN (SELECT id FROM doomed)
            """,
            logger: logger
        )
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
    /// What the calendar shows: posts with `from <= publish_at < to`, optionally only some channels, states or
    /// one tag, after a cursor (the id of the last post of the previous page: exact, unlike a decoded time),
    /// at most `limit`.
    public struct CalendarQuery: Sendable {
        public var from: Date
        public var to: Date
        public var integrationIDs: [UUID]?
        public var states: [PostState]?
        public var tag: String?
        /// Only the channels of this customer.
        public var customerID: UUID?
        public var after: UUID?
        public var limit: Int

        public init(from: Date, to: Date, integrationIDs: [UUID]? = nil, states: [PostState]? = nil, tag: String? = nil,
                    customerID: UUID? = nil, after: UUID? = nil, limit: Int) {
            self.from = from
            self.to = to
            self.integrationIDs = integrationIDs
            self.states = states
            self.tag = tag
            self.customerID = customerID
            self.after = after
            self.limit = limit
        }
    }

    /// The organization's posts for `query`, in time order (the `(organization_id, publish_at)` index serves it).
    public func list(organizationID: UUID, _ query: CalendarQuery, client: PostgresClient) async throws -> [Post] {
        var posts: [Post] = []
        for try await row in try await client.execute(CalendarStatement(organizationID: organizationID, query: query), logger: logger) {
            posts.append(Self.make(row))
        }
        return posts
    }

    /// The calendar query, prepared once per connection (it serves every calendar view).
    struct CalendarStatement: PostgresPreparedStatement {
        typealias Row = Columns
        static let sql = """
            SELECT \(PostRepository.columns) FROM posts p
            WHERE organization_id = $1 AND deleted_at IS NULL AND publish_at >= $2 AND publish_at < $3
              AND ($4::uuid[] IS NULL OR integration_id = ANY($4::uuid[]))
              AND ($5::text[] IS NULL OR state = ANY($5::text[]))
              AND ($6::text IS NULL OR EXISTS (
                    SELECT 1 FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
                    WHERE pt.post_id = p.id AND lower(t.name) = lower($6::text) AND t.deleted_at IS NULL))
              AND ($7::uuid IS NULL OR integration_id IN (
                    SELECT i.id FROM integrations i WHERE i.customer_id = $7::uuid AND i.organization_id = $1))
              AND ($8::uuid IS NULL OR (publish_at, id) > (SELECT c.publish_at, c.id FROM posts c WHERE c.id = $8::uuid))
            ORDER BY publish_at, id LIMIT $9
            """
        var organizationID: UUID
        var query: CalendarQuery

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 9)
            bindings.append(organizationID)
            bindings.append(query.from)
            bindings.append(query.to)
            if let ids = query.integrationIDs { bindings.append(ids) } else { bindings.appendNull() }
            if let states = query.states { bindings.append(states.map(\.rawValue)) } else { bindings.appendNull() }
            if let tag = query.tag { bindings.append(tag) } else { bindings.appendNull() }
            if let customer = query.customerID { bindings.append(customer) } else { bindings.appendNull() }
            if let after = query.after { bindings.append(after) } else { bindings.appendNull() }
            bindings.append(query.limit)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// A post a worker now holds, and whether it took it over from a worker that stopped mid-publish.
    public struct Claim: Sendable {
        public var post: Post
        /// True when the post was already `publishing` under `staleOwner`: the platform may have it.
        public var tookOver: Bool
        /// When the post last changed before this claim (for a takeover: about when the stale attempt began).
        public var previouslyUpdatedAt: Date
    }

    /// Records a successful publish, if `attempt` is still the post's current attempt; returns whether it did.
    public func markPublished(id: UUID, attempt: Int, platformPostID: String, platformURL: String?, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE posts SET state = 'published', platform_post_id = \(platformPostID), platform_url = \(platformURL),
                   error = NULL, published_at = now(), lease_owner = NULL, updated_at = now()
            WHERE id = \(id) AND state = 'publishing' AND attempt = \(attempt)
            RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    /// The thread item a publish released: scheduled now (after its delay).
    public struct ReleasedItem: Sendable, Equatable {
        public var id: UUID
        public var organizationID: UUID
        public var publishAt: Date
    }

    /// Hands a held post back to the schedule (for a retry or after a rate limit).
    public func returnToSchedule(id: UUID, attempt: Int, error: String?, client: PostgresClient) async throws {
        try await client.query(
            """
            UPDATE posts SET state = 'scheduled', error = \(error), lease_owner = NULL, updated_at = now()
            WHERE id = \(id) AND state = 'publishing' AND attempt = \(attempt)
            """,
            logger: logger
        )
    }

    /// Records a failed (or unconfirmed) publish with the platform's message, if `attempt` is still the post's
    /// current attempt; returns whether it did.
    @discardableResult
    public func markFinished(id: UUID, attempt: Int, state: PostState, error: String, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE posts SET state = \(state.rawValue), error = \(error), lease_owner = NULL, updated_at = now()
            WHERE id = \(id) AND state = 'publishing' AND attempt = \(attempt)
            RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    typealias Columns = (UUID, UUID, UUID, UUID?, Int, UUID, String, String, Date?, String, String?, String?, String?, Date?, Date, Date, Int, String?)

    private static func decode(_ rows: PostgresRowSequence) async throws -> [Post] {
        var result: [Post] = []
        for try await row in rows.decode(Columns.self) {
            result.append(make(row))
        }
        return result
    }

    static func make(_ row: Columns) -> Post {
        Post(
            id: row.0, organizationID: row.1, groupID: row.2, parentID: row.3, position: row.4, integrationID: row.5,
            content: row.6, state: PostState(rawValue: row.7) ?? .failed, publishAt: row.8, timeZone: row.9,
            platformPostID: row.10, platformURL: row.11, error: row.12, publishedAt: row.13, createdAt: row.14, updatedAt: row.15,
            attempt: row.16, recurrence: row.17.flatMap { try? JSONDecoder().decode(Recurrence.self, from: Data($0.utf8)) }
        )
    }
}
