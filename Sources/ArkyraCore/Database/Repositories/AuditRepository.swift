import Foundation
import Logging
import PostgresNIO

/// Writes audit events; callers pass the connection of the transaction that makes the change.
public struct AuditRepository: Sendable {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// Records `event` in the caller's transaction.
    public func record(_ event: AuditEvent, on connection: PostgresConnection) async throws {
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
}
