import Foundation
import Logging
import PostgresNIO

/// Preview links of post groups; the secret in the link is stored as a hash.
package struct PreviewLinkRepository: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    static let columns = "id, group_id, allow_comments, created_by, created_at, expires_at"

    package func create(organizationID: UUID, groupID: UUID, tokenHash: Data, allowComments: Bool, createdBy: UUID, expiresAt: Date,
                        on connection: PostgresConnection) async throws -> PreviewLink {
        let rows = try await connection.query(
            """
            INSERT INTO preview_links (organization_id, group_id, token_hash, allow_comments, created_by, expires_at)
            VALUES (\(organizationID), \(groupID), \(tokenHash), \(allowComments), \(createdBy), \(expiresAt)) RETURNING \(unescaped: Self.columns)
            """,
            logger: logger
        )
        guard let link = try await Self.decode(rows).first else { throw PostgresDecodingError.Code.missingData }
        return link
    }

    /// The group's links that still work.
    package func list(organizationID: UUID, groupID: UUID, client: Database) async throws -> [PreviewLink] {
        try await Self.decode(client.query(
            """
            SELECT \(unescaped: Self.columns) FROM preview_links
            WHERE organization_id = \(organizationID) AND group_id = \(groupID) AND revoked_at IS NULL AND expires_at > now()
            ORDER BY created_at DESC
            """,
            logger: logger
        ))
    }

    package func revoke(id: UUID, organizationID: UUID, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            "UPDATE preview_links SET revoked_at = now() WHERE id = \(id) AND organization_id = \(organizationID) AND revoked_at IS NULL RETURNING id",
            logger: logger
        )
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    /// The working link whose secret hashes to `tokenHash`, with its organization.
    package func find(tokenHash: Data, client: Database) async throws -> (link: PreviewLink, organizationID: UUID)? {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.columns), organization_id FROM preview_links
            WHERE token_hash = \(tokenHash) AND revoked_at IS NULL AND expires_at > now()
            """,
            logger: logger
        )
        for try await row in rows.decode((UUID, UUID, Bool, UUID?, Date, Date, UUID).self) {
            return (PreviewLink(id: row.0, groupID: row.1, allowComments: row.2, createdBy: row.3, createdAt: row.4, expiresAt: row.5), row.6)
        }
        return nil
    }

    private static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [PreviewLink] {
        var links: [PreviewLink] = []
        for try await row in rows.decode((UUID, UUID, Bool, UUID?, Date, Date).self) {
            links.append(PreviewLink(id: row.0, groupID: row.1, allowComments: row.2, createdBy: row.3, createdAt: row.4, expiresAt: row.5))
        }
        return links
    }
}
