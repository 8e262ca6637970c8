import Foundation
import Logging
import PostgresNIO

/// Who belongs to an organization, with which role.
package struct MembershipRepository: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    /// The organization's members, owner first, then by when they joined.
    package func list(organizationID: UUID, client: Database) async throws -> [Member] {
        let rows = try await client.query(
            """
            SELECT u.id, u.email, u.name, m.role, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.organization_id = \(organizationID) AND u.deleted_at IS NULL
            ORDER BY m.role = 'owner' DESC, m.created_at, u.id
            """,
            logger: logger
        )
        var members: [Member] = []
        for try await (id, email, name, role, joinedAt) in rows.decode((UUID, String, String, String, Date).self) {
            members.append(Member(userID: id, email: email, name: name, role: Role(rawValue: role) ?? .viewer, joinedAt: joinedAt))
        }
        return members
    }

    /// A member's role, locked until the caller's transaction ends; nil when they are not a member.
    package func lockRole(userID: UUID, organizationID: UUID, on connection: PostgresConnection) async throws -> Role? {
        let rows = try await connection.query(
            "SELECT role FROM memberships WHERE organization_id = \(organizationID) AND user_id = \(userID) FOR UPDATE", logger: logger
        )
        for try await role in rows.decode(String.self) { return Role(rawValue: role) }
        return nil
    }

    /// Adds a member; returns false when they already belong to the organization.
    package func add(userID: UUID, organizationID: UUID, role: Role, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO memberships (organization_id, user_id, role) VALUES (\(organizationID), \(userID), \(role.rawValue))
            ON CONFLICT (organization_id, user_id) DO NOTHING RETURNING user_id
            """,
            logger: logger
        )
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    package func setRole(_ role: Role, userID: UUID, organizationID: UUID, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE memberships SET role = \(role.rawValue) WHERE organization_id = \(organizationID) AND user_id = \(userID)", logger: logger
        )
    }

    package func remove(userID: UUID, organizationID: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("DELETE FROM memberships WHERE organization_id = \(organizationID) AND user_id = \(userID)", logger: logger)
    }
}
