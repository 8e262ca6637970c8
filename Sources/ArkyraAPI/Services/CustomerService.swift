import ArkyraCore
import Foundation
import Logging

/// The clients an organization works for (an agency's), which channels belong to and the calendar filters
/// by: listed, added (a name, unique in the organization) and removed, each change in the audit log. The
/// API's `/customers` routes and the channels page both call it.
struct CustomerService: Sendable {
    let customers: CustomerRepository
    let audit: AuditRepository
    let database: Database
    let logger: Logger

    func list(organizationID: UUID) async throws -> [CustomerRepository.Customer] {
        try await customers.list(organizationID: organizationID, client: database)
    }

    /// - Throws: 422 for a blank or over-long name, 409 when the organization has a customer of that name.
    func create(organizationID: UUID, name rawName: String, by userID: UUID, origin: RequestOrigin) async throws -> CustomerRepository.Customer {
        let name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(name.count) else { throw APIError.validation(["name": "must be 1 to 200 characters"]) }
        do {
            return try await database.inTransaction(logger: logger) { connection in
                let customer = try await customers.create(organizationID: organizationID, name: name, on: connection)
                try await audit.record(
                    AuditEvent(organizationID: organizationID, actorUserID: userID, action: "customer.created", targetType: "customer",
                               targetID: customer.id.uuidString, origin: origin),
                    on: connection
                )
                return customer
            }
        } catch RepositoryError.conflict {
            throw APIError(.conflict, "customer_exists", "this organization already has a customer named \(name)")
        }
    }

    /// Removes a customer (its channels stay, belonging to none).
    /// - Throws: 404 for another organization's customer or one already removed.
    func delete(organizationID: UUID, customerID rawID: String, by userID: UUID, origin: RequestOrigin) async throws {
        guard let id = UUID(uuidString: rawID) else { throw APIError.notFound("customer") }
        let event = AuditEvent(organizationID: organizationID, actorUserID: userID, action: "customer.deleted", targetType: "customer",
                               targetID: id.uuidString, origin: origin)
        let deleted = try await audit.recordingIfChanged(event, database: database, logger: logger) { connection in
            try await customers.delete(id: id, organizationID: organizationID, on: connection)
        }
        if !deleted { throw APIError.notFound("customer") }
    }
}
