import Foundation
import Logging
import PostgresNIO

/// API keys, stored as hashes.
package struct APIKeyRepository: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    static let columns = "id, organization_id, name, prefix, created_by, created_at, last_used_at"

    package func create(organizationID: UUID, name: String, prefix: String, keyHash: Data, createdBy: UUID,
                        on connection: PostgresConnection) async throws -> APIKey {
        let rows = try await connection.query(
            """
            INSERT INTO api_keys (organization_id, name, prefix, key_hash, created_by)
            VALUES (\(organizationID), \(name), \(prefix), \(keyHash), \(createdBy)) RETURNING \(unescaped: Self.columns)
            """,
            logger: logger
        )
        guard let key = try await Self.decode(rows).first else { throw PostgresDecodingError.Code.missingData }
        return key
    }

    /// The organization's keys that work, newest first.
    package func list(organizationID: UUID, client: Database) async throws -> [APIKey] {
        try await Self.decode(client.query(
            """
            SELECT \(unescaped: Self.columns) FROM api_keys WHERE organization_id = \(organizationID) AND revoked_at IS NULL
            ORDER BY created_at DESC LIMIT 500
            """,
            logger: logger
        ))
    }

    /// Revokes a key of the organization; returns whether it was live.
    package func revoke(id: UUID, organizationID: UUID, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE api_keys SET revoked_at = now() WHERE id = \(id) AND organization_id = \(organizationID) AND revoked_at IS NULL
            RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    /// What a presented key turned out to be.
    package enum Authentication: Sendable, Equatable {
        case valid(keyID: UUID, organizationID: UUID)
        /// A live key whose creator is no longer an owner or admin of its organization: it no longer works,
        /// since it carried their authority.
        case creatorLeft
        case unknown
    }

    /// The key whose secret hashes to `keyHash`, recording its use (at most once a minute, so busy keys do
    /// not write on every request).
    package func authenticate(keyHash: Data, client: Database) async throws -> Authentication {
        let rows = try await client.query(
            """
            WITH key AS (
                SELECT k.id, k.organization_id, k.last_used_at,
                       EXISTS (SELECT 1 FROM memberships m WHERE m.organization_id = k.organization_id AND m.user_id = k.created_by
                               AND m.role IN ('owner', 'admin')) AS creator_allowed
                FROM api_keys k JOIN organizations o ON o.id = k.organization_id
                WHERE k.key_hash = \(keyHash) AND k.revoked_at IS NULL AND o.deleted_at IS NULL
            ), touched AS (
                UPDATE api_keys SET last_used_at = now()
                WHERE id IN (SELECT id FROM key WHERE creator_allowed AND (last_used_at IS NULL OR last_used_at < now() - interval '60 seconds'))
            )
            SELECT id, organization_id, creator_allowed FROM key
            """,
            logger: logger
        )
        for try await (id, organizationID, allowed) in rows.decode((UUID, UUID, Bool).self) {
            return allowed ? .valid(keyID: id, organizationID: organizationID) : .creatorLeft
        }
        return .unknown
    }

    private static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [APIKey] {
        var keys: [APIKey] = []
        for try await row in rows.decode((UUID, UUID, String, String, UUID?, Date, Date?).self) {
            keys.append(APIKey(id: row.0, organizationID: row.1, name: row.2, prefix: row.3, createdBy: row.4, createdAt: row.5, lastUsedAt: row.6))
        }
        return keys
    }
}
