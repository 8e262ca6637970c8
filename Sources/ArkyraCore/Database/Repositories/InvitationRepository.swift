import Foundation
import Logging
import PostgresNIO

/// Invitations to organizations; the secret in the link is stored as a hash.
package struct InvitationRepository: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    static let columns = "id, organization_id, email, role, invited_by, created_at, expires_at"

    package func create(organizationID: UUID, email: String?, role: Role, tokenHash: Data, invitedBy: UUID, expiresAt: Date,
                        on connection: PostgresConnection) async throws -> Invitation {
        let rows = try await connection.query(
            """
            INSERT INTO invitations (organization_id, email, role, token_hash, invited_by, expires_at)
            VALUES (\(organizationID), \(email), \(role.rawValue), \(tokenHash), \(invitedBy), \(expiresAt))
            RETURNING \(unescaped: Self.columns)
            """,
            logger: logger
        )
        guard let invitation = try await Self.decode(rows).first else { throw PostgresDecodingError.Code.missingData }
        return invitation
    }

    /// The organization's invitations that can still be accepted, newest first.
    package func pending(organizationID: UUID, client: Database) async throws -> [Invitation] {
        try await Self.decode(client.query(
            """
            SELECT \(unescaped: Self.columns) FROM invitations
            WHERE organization_id = \(organizationID) AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
            ORDER BY created_at DESC LIMIT 500
            """,
            logger: logger
        ))
    }

    /// Revokes a pending invitation of the organization; returns whether there was one.
    package func revoke(id: UUID, organizationID: UUID, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE invitations SET revoked_at = now()
            WHERE id = \(id) AND organization_id = \(organizationID) AND accepted_at IS NULL AND revoked_at IS NULL RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    /// The pending, unexpired invitation whose secret hashes to `tokenHash`, locked until the caller's
    /// transaction ends (so it is accepted once).
    package func lockPending(tokenHash: Data, on connection: PostgresConnection) async throws -> Invitation? {
        try await Self.decode(connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM invitations
            WHERE token_hash = \(tokenHash) AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now() FOR UPDATE
            """,
            logger: logger
        )).first
    }

    package func markAccepted(id: UUID, by userID: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE invitations SET accepted_at = now(), accepted_by = \(userID) WHERE id = \(id)", logger: logger)
    }

    private static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [Invitation] {
        var invitations: [Invitation] = []
        for try await row in rows.decode((UUID, UUID, String?, String, UUID?, Date, Date).self) {
            invitations.append(Invitation(id: row.0, organizationID: row.1, email: row.2, role: Role(rawValue: row.3) ?? .viewer,
                                          invitedBy: row.4, createdAt: row.5, expiresAt: row.6))
        }
        return invitations
    }
}
