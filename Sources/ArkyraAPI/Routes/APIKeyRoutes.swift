import ArkyraCore
import Foundation
import Hummingbird

/// `/api/v1/organizations/:organization/api-keys`: keys of the public API (admin and owner).
struct APIKeyRoutes {
    let organizations: OrganizationService
    let keys: APIKeyService
    let maxBodyBytes: Int

    struct CreateBody: StrictDecodable {
        typealias Fields = CodingKeys
        var name: String
        enum CodingKeys: String, CodingKey, CaseIterable { case name }
    }

    struct Listing: Encodable { var apiKeys: [APIKey] }

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.post { request, context in
            let organization = try await organizations.authorize(.manageAPIKeys, in: context)
            let body = try await JSONBody.decode(CreateBody.self, from: request, maxBytes: maxBodyBytes)
            let created = try await keys.create(organizationID: organization.id, name: body.name, by: context.userID, origin: context.origin(request))
            return try JSONBody.response(created, status: .created)
        }
        group.get { _, context in
            let organization = try await organizations.authorize(.manageAPIKeys, in: context)
            return try JSONBody.response(Listing(apiKeys: try await keys.list(organizationID: organization.id)))
        }
        group.delete(":key") { request, context in
            let organization = try await organizations.authorize(.manageAPIKeys, in: context)
            guard let id = UUID(uuidString: try context.parameters.require("key")) else { throw APIError.notFound("API key") }
            try await keys.revoke(id, organizationID: organization.id, by: context.userID, origin: context.origin(request))
            return Response(status: .noContent)
        }
    }
}
