import Foundation
import Logging
import PostgresNIO

/// Organizations and memberships.
package struct OrganizationRepository: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    /// Inserts an organization with `ownerID` as its owner.
    package func create(name: String, ownerID: UUID, on connection: PostgresConnection) async throws -> Organization {
        let rows = try await connection.query(
            "INSERT INTO organizations (name) VALUES (\(name)) RETURNING id, name, created_at", logger: logger
        )
        var created: Organization?
        for try await (id, name, createdAt) in rows.decode((UUID, String, Date).self) {
            created = Organization(id: id, name: name, createdAt: createdAt)
        }
        guard let created else { throw PostgresDecodingError.Code.missingData }
        try await connection.query(
            "INSERT INTO memberships (organization_id, user_id, role) VALUES (\(created.id), \(ownerID), \(Role.owner.rawValue))",
            logger: logger
        )
        return created
    }

    /// The organizations `userID` belongs to, with their role, oldest first.
    package func list(forUser userID: UUID, limit: Int? = nil, client: Database) async throws -> [MemberOrganization] {
        try await client.withConnection { try await list(forUser: userID, limit: limit, connection: $0) }
    }

    /// ``list(forUser:limit:client:)`` on a connection (inside a transaction); the first `limit` (nil: all).
    package func list(forUser userID: UUID, limit: Int? = nil, connection: PostgresConnection) async throws -> [MemberOrganization] {
        let rows = try await connection.query(
            """
            SELECT o.id, o.name, o.created_at, m.role FROM organizations o
            JOIN memberships m ON m.organization_id = o.id
            WHERE m.user_id = \(userID) AND o.deleted_at IS NULL
            ORDER BY o.created_at, o.id
            LIMIT \(limit)
            """,
            logger: logger
        )
        var result: [MemberOrganization] = []
        for try await (id, name, createdAt, role) in rows.decode((UUID, String, Date, String).self) {
            guard let role = Role(rawValue: role) else { continue }
            result.append(MemberOrganization(organization: Organization(id: id, name: name, createdAt: createdAt), role: role))
        }
        return result
    }

    /// `userID`'s membership of `organizationID`, or nil when they are not a member (or it does not exist).
    package func membership(ofUser userID: UUID, in organizationID: UUID, client: Database) async throws -> MemberOrganization? {
        let rows = try await client.query(
            """
            SELECT o.id, o.name, o.created_at, m.role FROM organizations o JOIN memberships m ON m.organization_id = o.id
            WHERE m.user_id = \(userID) AND o.id = \(organizationID) AND o.deleted_at IS NULL
            """,
            logger: logger
        )
        for try await (id, name, createdAt, role) in rows.decode((UUID, String, Date, String).self) {
            guard let role = Role(rawValue: role) else { return nil }
            return MemberOrganization(organization: Organization(id: id, name: name, createdAt: createdAt), role: role)
        }
        return nil
    }

    /// `userID`'s role in `organizationID`, or nil when they are not a member (or it does not exist).
    package func role(ofUser userID: UUID, in organizationID: UUID, client: Database) async throws -> Role? {
        for role in try await client.execute(RoleStatement(userID: userID, organizationID: organizationID), logger: logger) {
            return Role(rawValue: role)
        }
        return nil
    }

    /// The membership check every organization route starts with, prepared once per connection.
    struct RoleStatement: PostgresPreparedStatement {
        typealias Row = String
        static let sql = """
            SELECT m.role FROM memberships m JOIN organizations o ON o.id = m.organization_id
            WHERE m.user_id = $1 AND m.organization_id = $2 AND o.deleted_at IS NULL
            """
        var userID: UUID
        var organizationID: UUID

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(userID)
            bindings.append(organizationID)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String.self) }
    }

    /// The organization `id`, or nil when it does not exist (or was deleted).
    package func find(id: UUID, on connection: PostgresConnection) async throws -> Organization? {
        let rows = try await connection.query(
            "SELECT id, name, created_at FROM organizations WHERE id = \(id) AND deleted_at IS NULL", logger: logger
        )
        for try await (id, name, createdAt) in rows.decode((UUID, String, Date).self) {
            return Organization(id: id, name: name, createdAt: createdAt)
        }
        return nil
    }

    /// Renames an organization; returns it, or nil when it does not exist.
    package func rename(id: UUID, to name: String, on connection: PostgresConnection) async throws -> Organization? {
        let rows = try await connection.query(
            "UPDATE organizations SET name = \(name), updated_at = now() WHERE id = \(id) AND deleted_at IS NULL RETURNING id, name, created_at",
            logger: logger
        )
        for try await (id, name, createdAt) in rows.decode((UUID, String, Date).self) {
            return Organization(id: id, name: name, createdAt: createdAt)
        }
        return nil
    }
}
