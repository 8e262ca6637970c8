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

    /// Adds a notification in the caller's transaction.
    /// Adds a notification; one with the `id` of an existing one is not added again (a retried workflow step).
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

    /// The organization's notifications, newest first, skipping the first `offset`.
    package func list(organizationID: UUID, limit: Int = 100, offset: Int = 0, client: Database) async throws -> [Notification] {
        let rows = try await client.query(
            """
            SELECT id, post_id, kind, message, created_at, read_at FROM notifications
            WHERE organization_id = \(organizationID) ORDER BY created_at DESC, id LIMIT \(limit) OFFSET \(offset)
            """,
            logger: logger
        )
        var result: [Notification] = []
        for try await (id, postID, kind, message, createdAt, readAt) in rows.decode((UUID, UUID?, String, String, Date, Date?).self) {
            result.append(Notification(id: id, postID: postID, kind: kind, message: message, createdAt: createdAt, readAt: readAt))
        }
        return result
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
