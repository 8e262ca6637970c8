import Foundation
import Logging
import PostgresNIO

/// The customers (clients) of an organization.
package struct CustomerRepository: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    /// A customer.
    package struct Customer: Sendable, Codable, Equatable {
        package var id: UUID
        package var name: String
        package var createdAt: Date
    }

    /// Adds a customer.
    /// - Throws: ``RepositoryError/conflict(_:)`` when the organization has one of that name.
    package func create(organizationID: UUID, name: String, on connection: PostgresConnection) async throws -> Customer {
        try await mappingConflicts {
            try await decode(connection.query(
                "INSERT INTO customers (organization_id, name) VALUES (\(organizationID), \(name)) RETURNING id, name, created_at", logger: logger
            )).first.unwrapped()
        }
    }

    package func list(organizationID: UUID, client: Database) async throws -> [Customer] {
        try await decode(client.query(
            "SELECT id, name, created_at FROM customers WHERE organization_id = \(organizationID) ORDER BY lower(name), id LIMIT 1000", logger: logger
        ))
    }

    /// The organization's customers among `ids`.
    package func find(ids: [UUID], organizationID: UUID, client: Database) async throws -> [Customer] {
        try await decode(client.query(
            "SELECT id, name, created_at FROM customers WHERE organization_id = \(organizationID) AND id = ANY(\(ids)::uuid[])", logger: logger
        ))
    }

    /// Deletes a customer (its channels keep working, without a customer); returns whether there was one.
    package func delete(id: UUID, organizationID: UUID, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            "DELETE FROM customers WHERE id = \(id) AND organization_id = \(organizationID) RETURNING id", logger: logger
        )
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    private func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [Customer] {
        var customers: [Customer] = []
        for try await (id, name, createdAt) in rows.decode((UUID, String, Date).self) { customers.append(Customer(id: id, name: name, createdAt: createdAt)) }
        return customers
    }
}
