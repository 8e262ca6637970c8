import Foundation
import Logging
import PostgresNIO

/// In-app notifications.
package struct NotificationRepository: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    /// A notification as the API shows it.
    package struct Notification: Sendable, Encodable {
        package var id: UUID
        package var postID: UUID?
        package var kind: String
        package var message: String
        package var createdAt: Date
        package var readAt: Date?
    }

    /// Adds a notification in the caller's transaction; one with the `id` of an existing one is not added again (a retried workflow step).
    package func create(id: UUID? = nil, organizationID: UUID, postID: UUID?, kind: String, message: String, on connection: PostgresConnection)
        async throws
    {
        try await connection.query(
            """
            INSERT INTO notifications (id, organization_id, post_id, kind, message)
            VALUES (COALESCE(\(id), gen_random_uuid()), \(organizationID), \(postID), \(kind), \(message))
            ON CONFLICT (id) DO NOTHING
            """,
            logger: logger
        )
    }

    /// The organization's notifications, newest first, skipping the first `offset`; `readAt` is when `reader` marked
    /// them seen (nil for one created since, or without a reader: an API key).
    package func list(organizationID: UUID, reader: UUID? = nil, limit: Int = 100, offset: Int = 0, client: Database) async throws -> [Notification] {
        let rows = try await client.query(
            """
            SELECT n.id, n.post_id, n.kind, n.message, n.created_at, CASE WHEN n.created_at <= s.seen_at THEN s.seen_at END
            FROM notifications n
            LEFT JOIN notification_seen s ON s.organization_id = n.organization_id AND s.user_id = \(reader)
            WHERE n.organization_id = \(organizationID) ORDER BY n.created_at DESC, n.id LIMIT \(limit) OFFSET \(offset)
            """,
            logger: logger
        )
        var result: [Notification] = []
        for try await (id, postID, kind, message, createdAt, readAt) in rows.decode((UUID, UUID?, String, String, Date, Date?).self) {
            result.append(Notification(id: id, postID: postID, kind: kind, message: message, createdAt: createdAt, readAt: readAt))
        }
        return result
    }

    /// How many of the organization's notifications `reader` has not seen.
    package func unread(organizationID: UUID, reader: UUID, client: Database) async throws -> Int {
        let rows = try await client.query(
            """
            SELECT count(*)::int FROM notifications n
            WHERE n.organization_id = \(organizationID)
              AND n.created_at > COALESCE((SELECT seen_at FROM notification_seen WHERE organization_id = \(organizationID) AND user_id = \(reader)), '-infinity')
            """,
            logger: logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Marks every notification of the organization that exists now as seen by `reader` (by the newest one's
    /// time, not the clock's: one inserted a moment later stays unread).
    package func markSeen(organizationID: UUID, reader: UUID, client: Database) async throws {
        try await client.query(
            """
            INSERT INTO notification_seen (user_id, organization_id, seen_at)
            SELECT \(reader), \(organizationID), max(created_at) FROM notifications WHERE organization_id = \(organizationID) HAVING max(created_at) IS NOT NULL
            ON CONFLICT (user_id, organization_id) DO UPDATE SET seen_at = GREATEST(notification_seen.seen_at, EXCLUDED.seen_at)
            """,
            logger: logger
        )
    }

    /// How many notifications the organization has.
    package func count(organizationID: UUID, client: Database) async throws -> Int {
        for try await count in try await client.query("SELECT count(*)::int FROM notifications WHERE organization_id = \(organizationID)", logger: logger).decode(Int.self) {
            return count
        }
        return 0
    }

    /// Deletes up to `limit` notifications created before `before`.
    @discardableResult
    package func purge(createdBefore before: Date, limit: Int = 10_000, client: Database) async throws -> Int {
        let rows = try await client.query(
            """
            WITH gone AS (
                DELETE FROM notifications WHERE id IN (SELECT id FROM notifications WHERE created_at < \(before) LIMIT \(limit)) RETURNING 1
            )
            SELECT count(*)::int FROM gone
            """,
            logger: logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
