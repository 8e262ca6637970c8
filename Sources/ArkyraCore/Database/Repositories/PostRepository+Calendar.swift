import Foundation
import PostgresNIO

/// Reading posts as the calendar and the editor need them: filtered, paged time ranges, whole groups, tags,
/// the times a channel is busy, and duplicates of a text.
extension PostRepository {
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
    public func tagNames(of postIDs: [UUID], client: Database) async throws -> [UUID: [String]] {
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
    public func group(_ groupID: UUID, organizationID: UUID, client: Database) async throws -> [Post] {
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
    public func sameContent(as post: Post, around time: Date, within window: TimeInterval, client: Database) async throws -> UUID? {
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
    public func publishTimes(integrationID: UUID, from: Date, to: Date, client: Database) async throws -> [Date] {
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
    public func list(organizationID: UUID, _ query: CalendarQuery, client: Database) async throws -> [Post] {
        var posts: [Post] = []
        for row in try await client.execute(CalendarStatement(organizationID: organizationID, query: query), logger: logger) {
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
              AND ($8::uuid IS NULL OR (publish_at, id) > (SELECT c.publish_at, c.id FROM posts c WHERE c.id = $8::uuid AND c.organization_id = $1))
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
}
