import ArkyraCore
import Foundation
import Hummingbird
import PostgresNIO

/// `/api/v1/organizations/:organization/customers`: the clients an organization works for (viewer+ to read,
/// admin+ to change); channels belong to them through `PATCH …/integrations/:integration`.
struct CustomerRoutes {
    let organizations: OrganizationService
    let customers: CustomerService
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
            return try JSONBody.response(Listing(customers: try await customers.list(organizationID: organization.id)))
        }
        group.post { request, context in
            let organization = try await organizations.authorize(.connectChannels, in: context)
            let body = try await JSONBody.decode(CreateBody.self, from: request, maxBytes: maxBodyBytes)
            let created = try await customers.create(organizationID: organization.id, name: body.name, by: context.userID, origin: context.origin(request))
            return try JSONBody.response(created, status: .created)
        }
        group.delete(":customer") { request, context in
            let organization = try await organizations.authorize(.connectChannels, in: context)
            try await customers.delete(organizationID: organization.id, customerID: try context.parameters.require("customer"),
                                       by: context.userID, origin: context.origin(request))
            return Response(status: .noContent)
        }
    }
}
