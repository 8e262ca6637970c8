import Foundation
import Logging
import PostgresNIO

/// What editors reuse: sets (saved presets) and signatures (text added to posts).
package struct TemplateRepository: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    // MARK: Sets

    package func createSet(organizationID: UUID, name: String, content: String, createdBy: UUID, on connection: PostgresConnection) async throws -> PostSet {
        try await decodeSets(connection.query(
            """
            INSERT INTO post_sets (organization_id, name, content, created_by) VALUES (\(organizationID), \(name), \(content)::jsonb, \(createdBy))
            RETURNING id, name, content::text, created_at, updated_at
            """,
            logger: logger
        )).first.unwrapped()
    }

    package func sets(organizationID: UUID, client: Database) async throws -> [PostSet] {
        try await decodeSets(client.query(
            "SELECT id, name, content::text, created_at, updated_at FROM post_sets WHERE organization_id = \(organizationID) ORDER BY name, id LIMIT 500",
            logger: logger
        ))
    }

    /// Changes a set's name and/or content; nil when the organization has no such set.
    package func updateSet(id: UUID, organizationID: UUID, name: String?, content: String?, on connection: PostgresConnection) async throws -> PostSet? {
        try await decodeSets(connection.query(
            """
            UPDATE post_sets SET name = coalesce(\(name), name), content = coalesce(\(content)::jsonb, content), updated_at = now()
            WHERE id = \(id) AND organization_id = \(organizationID) RETURNING id, name, content::text, created_at, updated_at
            """,
            logger: logger
        )).first
    }

    package func deleteSet(id: UUID, organizationID: UUID, on connection: PostgresConnection) async throws -> Bool {
        try await deleted(connection.query("DELETE FROM post_sets WHERE id = \(id) AND organization_id = \(organizationID) RETURNING id", logger: logger))
    }

    // MARK: Signatures

    /// Adds a signature; a new default replaces the old one.
    package func createSignature(organizationID: UUID, name: String, text: String, isDefault: Bool, on connection: PostgresConnection) async throws -> Signature {
        if isDefault { try await clearDefault(organizationID: organizationID, on: connection) }
        return try await decodeSignatures(connection.query(
            """
            INSERT INTO signatures (organization_id, name, text, is_default) VALUES (\(organizationID), \(name), \(text), \(isDefault))
            RETURNING id, name, text, is_default, created_at
            """,
            logger: logger
        )).first.unwrapped()
    }

    package func signatures(organizationID: UUID, client: Database) async throws -> [Signature] {
        try await decodeSignatures(client.query(
            "SELECT id, name, text, is_default, created_at FROM signatures WHERE organization_id = \(organizationID) ORDER BY name, id LIMIT 500",
            logger: logger
        ))
    }

    package func updateSignature(id: UUID, organizationID: UUID, name: String?, text: String?, isDefault: Bool?,
                                 on connection: PostgresConnection) async throws -> Signature? {
        if isDefault == true { try await clearDefault(organizationID: organizationID, on: connection) }
        return try await decodeSignatures(connection.query(
            """
            UPDATE signatures SET name = coalesce(\(name), name), text = coalesce(\(text), text), is_default = coalesce(\(isDefault), is_default)
            WHERE id = \(id) AND organization_id = \(organizationID) RETURNING id, name, text, is_default, created_at
            """,
            logger: logger
        )).first
    }

    package func deleteSignature(id: UUID, organizationID: UUID, on connection: PostgresConnection) async throws -> Bool {
        try await deleted(connection.query("DELETE FROM signatures WHERE id = \(id) AND organization_id = \(organizationID) RETURNING id", logger: logger))
    }

    /// The signature to add to a new post: the one named, or else the default (nil when there is none).
    package func signature(id: UUID?, organizationID: UUID, client: Database) async throws -> Signature? {
        try await decodeSignatures(client.query(
            """
            SELECT id, name, text, is_default, created_at FROM signatures
            WHERE organization_id = \(organizationID) AND (CASE WHEN \(id)::uuid IS NULL THEN is_default ELSE id = \(id)::uuid END)
            """,
            logger: logger
        )).first
    }

    private func clearDefault(organizationID: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE signatures SET is_default = false WHERE organization_id = \(organizationID) AND is_default", logger: logger)
    }

    private func deleted(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> Bool {
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    private func decodeSets(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [PostSet] {
        var sets: [PostSet] = []
        for try await row in rows.decode((UUID, String, String, Date, Date).self) {
            sets.append(PostSet(id: row.0, name: row.1, content: (try? JSONValue.parse(row.2)) ?? .null, createdAt: row.3, updatedAt: row.4))
        }
        return sets
    }

    private func decodeSignatures(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [Signature] {
        var signatures: [Signature] = []
        for try await row in rows.decode((UUID, String, String, Bool, Date).self) {
            signatures.append(Signature(id: row.0, name: row.1, text: row.2, isDefault: row.3, createdAt: row.4))
        }
        return signatures
    }
}
