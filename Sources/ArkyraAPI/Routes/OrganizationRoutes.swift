import ArkyraCore
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET/POST /api/v1/organizations`, `PATCH /api/v1/organizations/:organization`.
struct OrganizationRoutes {
    let organizations: OrganizationService
    let maxBodyBytes: Int

    struct CreateBody: StrictDecodable {
        typealias Fields = CodingKeys
        var name: String
        enum CodingKeys: String, CodingKey, CaseIterable { case name }
    }

    struct Listing: Encodable {
        var organizations: [MemberOrganization]
    }

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.post { request, context in
            let body = try await JSONBody.decode(CreateBody.self, from: request, maxBytes: maxBodyBytes)
            let created = try await organizations.create(name: body.name, by: context.userID, origin: context.origin(request))
            return try JSONBody.response(created, status: .created)
        }
        group.get { _, context in
            try JSONBody.response(Listing(organizations: try await organizations.list(for: context.userID)))
        }
        group.patch(":organization") { request, context in
            let organization = try await organizations.authorize(.manageSettings, in: context)
            let body = try await JSONBody.decode(CreateBody.self, from: request, maxBytes: maxBodyBytes)
            let renamed = try await organizations.rename(organization.id, to: body.name, by: context.userID, origin: context.origin(request))
            return try JSONBody.response(MemberOrganization(organization: renamed, role: organization.role))
        }
    }
}
