import ArkyraCore
import Foundation
import Hummingbird
import PostgresNIO

/// `/api/v1/organizations/:organization/customers`: the clients an organization works for (viewer+ to read,
/// admin+ to change); channels belong to them through `PATCH …/integrations/:integration`.
struct CustomerRoutes {
    let organizations: OrganizationService
    let customers: CustomerRepository
    let audit: AuditRepository
    let database: Database
    let maxBodyBytes: Int

    struct CreateBody: StrictDecodable {
        typealias Fields = CodingKeys
        var name: String
        enum CodingKeys: String, CodingKey, CaseIterable { case name }
    }

    struct Listing: Encodable { var customers: [CustomerRepository.Customer] }

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get { _, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            return try JSONBody.response(Listing(customers: try await customers.list(organizationID: organization.id, client: database)))
        }
        group.post { request, context in
            let organization = try await organizations.authorize(.connectChannels, in: context)
            let body = try await JSONBody.decode(CreateBody.self, from: request, maxBytes: maxBodyBytes)
            let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...200).contains(name.count) else { throw APIError.validation(["name": "must be 1 to 200 characters"]) }
            do {
                let created = try await database.inTransaction(logger: context.logger) { connection in
                    let customer = try await customers.create(organizationID: organization.id, name: name, on: connection)
                    try await audit.record(
                        AuditEvent(organizationID: organization.id, actorUserID: context.userID, action: "customer.created", targetType: "customer",
                                   targetID: customer.id.uuidString, origin: context.origin(request)),
                        on: connection
                    )
                    return customer
                }
                return try JSONBody.response(created, status: .created)
            } catch RepositoryError.conflict {
                throw APIError(.conflict, "customer_exists", "this organization already has a customer named \(name)")
            }
        }
        group.delete(":customer") { request, context in
            let organization = try await organizations.authorize(.connectChannels, in: context)
            guard let id = UUID(uuidString: try context.parameters.require("customer")) else { throw APIError.notFound("customer") }
            let event = AuditEvent(organizationID: organization.id, actorUserID: context.userID, action: "customer.deleted", targetType: "customer",
                                   targetID: id.uuidString, origin: context.origin(request))
            let deleted = try await audit.recordingIfChanged(event, database: database, logger: context.logger) { connection in
                try await customers.delete(id: id, organizationID: organization.id, on: connection)
            }
            if !deleted { throw APIError.notFound("customer") }
            return Response(status: .noContent)
        }
    }
}
