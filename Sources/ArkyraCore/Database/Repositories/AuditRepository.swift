import Foundation
import Logging
import PostgresNIO

/// Writes audit events; callers pass the connection of the transaction that makes the change.
package struct AuditRepository: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    /// Records `event` in the caller's transaction.
    package func record(_ event: AuditEvent, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO audit_events (organization_id, actor_user_id, action, target_type, target_id, ip, user_agent, request_id, details)
            VALUES (\(event.organizationID), \(event.actorUserID), \(event.action), \(event.targetType), \(event.targetID),
                    \(event.origin.ip), \(event.origin.userAgent), \(event.origin.requestID),
                    CASE WHEN \(event.origin.apiKeyID?.uuidString)::text IS NULL THEN '{}'::jsonb
                         ELSE jsonb_build_object('api_key_id', \(event.origin.apiKeyID?.uuidString)::text) END)
            """,
            logger: logger
        )
    }

    /// One recorded action, as admins read the log.
    package struct Entry: Sendable, Codable, Equatable {
        package var id: Int64
        package var actorUserID: UUID?
        package var actorEmail: String?
        package var action: String
        package var targetType: String
        package var targetID: String?
        package var ip: String?
        package var userAgent: String?
        package var requestID: String?
        package var apiKeyID: String?
        package var createdAt: Date
    }

    /// What to list: newest first, older than `before` (an entry id, for paging), optionally one action
    /// (or an action prefix ending in `.`), one actor, and a time range.
    package struct Filter: Sendable {
        package var action: String?
        package var actorUserID: UUID?
        package var from: Date?
        package var to: Date?
        package var before: Int64?
        package var limit: Int

        package init(action: String? = nil, actorUserID: UUID? = nil, from: Date? = nil, to: Date? = nil, before: Int64? = nil, limit: Int = 100) {
            self.action = action
            self.actorUserID = actorUserID
            self.from = from
            self.to = to
            self.before = before
            self.limit = limit
        }
    }

    /// The organization's audit log under `filter`.
    package func list(organizationID: UUID, filter: Filter, client: Database) async throws -> [Entry] {
        let prefix = filter.action.map { $0.hasSuffix(".") ? $0 + "%" : $0 }
        let rows = try await client.query(
            """
            SELECT a.id, a.actor_user_id, u.email, a.action, a.target_type, a.target_id, a.ip, a.user_agent, a.request_id,
                   a.details->>'api_key_id', a.created_at
            FROM audit_events a LEFT JOIN users u ON u.id = a.actor_user_id
            WHERE a.organization_id = \(organizationID)
              AND (\(prefix)::text IS NULL OR a.action LIKE \(prefix))
              AND (\(filter.actorUserID)::uuid IS NULL OR a.actor_user_id = \(filter.actorUserID))
              AND (\(filter.from)::timestamptz IS NULL OR a.created_at >= \(filter.from))
              AND (\(filter.to)::timestamptz IS NULL OR a.created_at < \(filter.to))
              AND (\(filter.before)::bigint IS NULL OR a.id < \(filter.before))
            ORDER BY a.id DESC LIMIT \(filter.limit)
            """,
            logger: logger
        )
        var entries: [Entry] = []
        for try await row in rows.decode((Int64, UUID?, String?, String, String, String?, String?, String?, String?, String?, Date).self) {
            entries.append(Entry(id: row.0, actorUserID: row.1, actorEmail: row.2, action: row.3, targetType: row.4, targetID: row.5,
                                 ip: row.6, userAgent: row.7, requestID: row.8, apiKeyID: row.9, createdAt: row.10))
        }
        return entries
    }

    /// Deletes audit events older than `cutoff`; returns how many.
    package func purge(createdBefore cutoff: Date, client: Database) async throws -> Int {
        let rows = try await client.query(
            "WITH gone AS (DELETE FROM audit_events WHERE created_at < \(cutoff) RETURNING 1) SELECT count(*)::int FROM gone", logger: logger
        )
        var count = 0
        for try await deleted in rows.decode(Int.self) { count = deleted }
        return count
    }

    /// Runs `change` in one transaction and, when it reports that it changed something, records `event` in
    /// that same transaction. Returns what `change` reported (false: nothing to change, nothing recorded).
    package func recordingIfChanged(_ event: AuditEvent, database: Database, logger: Logger,
                                    _ change: (PostgresConnection) async throws -> Bool) async throws -> Bool {
        try await database.inTransaction(logger: logger) { connection in
            guard try await change(connection) else { return false }
            try await record(event, on: connection)
            return true
        }
    }
}
