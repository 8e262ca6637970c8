import Foundation
import PostgresNIO

/// Taking published posts down from their platforms: the API asks, a worker does it and records the outcome.
extension PostRepository {
    /// Asks for a published post to be taken down (when it is not already, or asked again after a failure);
    /// nil when nothing changed — no such post, not published, or a take-down already requested or done.
    package func requestRemoval(id: UUID, organizationID: UUID, by userID: UUID?, now: Date = Date(),
                                on connection: PostgresConnection) async throws -> Post? {
        let request = try PlatformRemoval(state: .requested, requestedAt: now, requestedBy: userID).json()
        let rows = try await connection.query(
            """
            UPDATE posts SET platform_removal = \(request)::jsonb, updated_at = now()
            WHERE id = \(id) AND organization_id = \(organizationID) AND deleted_at IS NULL AND state = 'published'
              AND (platform_removal IS NULL OR platform_removal->>'state' = 'failed')
            RETURNING \(unescaped: Self.columns)
            """,
            logger: logger
        )
        return try await Self.decode(rows).first
    }

    /// Records how a requested take-down ended (`removed`, or `failed` with `error`); false when none was
    /// requested (a repeated job, or the post was deleted meanwhile).
    @discardableResult
    package func recordRemoval(id: UUID, removed: Bool, error: String?, client: Database) async throws -> Bool {
        let outcome = try PlatformRemovalOutcome(state: removed ? "removed" : "failed", removedAt: removed ? Date() : nil, error: error).json()
        let rows = try await client.query(
            """
            UPDATE posts SET platform_removal = platform_removal || \(outcome)::jsonb, updated_at = now()
            WHERE id = \(id) AND platform_removal->>'state' = 'requested'
            RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }
}

/// The fields a worker writes over a requested removal.
private struct PlatformRemovalOutcome: Encodable {
    var state: String
    var removedAt: Date?
    var error: String?

    enum CodingKeys: String, CodingKey {
        case state
        case removedAt = "removed_at"
        case error
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(state, forKey: .state)
        try container.encode(removedAt.map(ISO8601Timestamp.format), forKey: .removedAt)
        try container.encode(error, forKey: .error)
    }

    func json() throws -> String { String(decoding: try JSONEncoder().encode(self), as: UTF8.self) }
}
