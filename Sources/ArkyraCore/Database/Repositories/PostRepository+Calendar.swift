import Foundation
import PostgresNIO

/// The calendar: a filtered, paged time range of an organization's posts.
extension PostRepository {
    /// What the calendar shows: posts with `from <= publish_at < to`, optionally only some channels, states or
    /// one tag, after a cursor (the id of the last post of the previous page: exact, unlike a decoded time),
    /// at most `limit`.
    package struct CalendarQuery: Sendable {
        package var from: Date
        package var to: Date
        package var integrationIDs: [UUID]?
        package var states: [PostState]?
        package var tag: String?
        /// Only the channels of this customer.
        package var customerID: UUID?
        package var after: UUID?
        package var limit: Int

        package init(from: Date, to: Date, integrationIDs: [UUID]? = nil, states: [PostState]? = nil, tag: String? = nil,
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
    package func list(organizationID: UUID, _ query: CalendarQuery, client: Database) async throws -> [Post] {
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
