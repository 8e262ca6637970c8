import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/v1/organizations/:organization/{members,invitations,transfer-ownership}` and
/// `POST /api/v1/invitations/accept`.
struct MemberRoutes {
    let organizations: OrganizationService
    let members: MemberService
    let maxBodyBytes: Int

    struct InviteBody: StrictDecodable {
        typealias Fields = CodingKeys
        var email: String?
        var role: String
        enum CodingKeys: String, CodingKey, CaseIterable { case email, role }
    }

    struct RoleBody: StrictDecodable {
        typealias Fields = CodingKeys
        var role: String
        enum CodingKeys: String, CodingKey, CaseIterable { case role }
    }

    struct TransferBody: StrictDecodable {
        typealias Fields = CodingKeys
        var userID: String
        enum CodingKeys: String, CodingKey, CaseIterable { case userID = "user_id" }
    }

    struct AcceptBody: StrictDecodable {
        typealias Fields = CodingKeys
        var token: String
        enum CodingKeys: String, CodingKey, CaseIterable { case token }
    }

    struct MemberList: Encodable { var members: [Member] }
    struct InvitationList: Encodable { var invitations: [Invitation] }

    /// Routes under `organizations/:organization`.
    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get("members") { _, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            return try JSONBody.response(MemberList(members: try await members.members(organizationID: organization.id)))
        }
        group.patch("members/:user") { request, context in
            let organization = try await organizations.authorize(.manageMembers, in: context)
            let body = try await JSONBody.decode(RoleBody.self, from: request, maxBytes: maxBodyBytes)
            try await members.changeRole(of: try userID(context), to: body.role, organizationID: organization.id,
                                         by: (context.userID, organization.role), origin: context.origin(request))
            return Response(status: .noContent)
        }
        group.delete("members/:user") { request, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            try await members.remove(try userID(context), organizationID: organization.id, by: (context.userID, organization.role), origin: context.origin(request))
            return Response(status: .noContent)
        }
        group.get("invitations") { _, context in
            let organization = try await organizations.authorize(.manageMembers, in: context)
            return try JSONBody.response(InvitationList(invitations: try await members.pendingInvitations(organizationID: organization.id)))
        }
        group.post("invitations") { request, context in
            let organization = try await organizations.authorize(.manageMembers, in: context)
            let body = try await JSONBody.decode(InviteBody.self, from: request, maxBytes: maxBodyBytes)
            let created = try await members.invite(organizationID: organization.id, email: body.email, role: body.role,
                                                   by: (context.userID, organization.role), origin: context.origin(request))
            return try JSONBody.response(created, status: .created)
        }
        group.delete("invitations/:invitation") { request, context in
            let organization = try await organizations.authorize(.manageMembers, in: context)
            guard let id = UUID(uuidString: try context.parameters.require("invitation")) else { throw APIError.notFound("invitation") }
            try await members.revokeInvitation(id, organizationID: organization.id, by: context.userID, origin: context.origin(request))
            return Response(status: .noContent)
        }
        group.post("transfer-ownership") { request, context in
            let organization = try await organizations.authorize(.manageOrganization, in: context)
            let body = try await JSONBody.decode(TransferBody.self, from: request, maxBytes: maxBodyBytes)
            guard let target = UUID(uuidString: body.userID) else { throw APIError.validation(["user_id": "must be a user id"]) }
            try await members.transferOwnership(to: target, organizationID: organization.id, by: context.userID, origin: context.origin(request))
            return Response(status: .noContent)
        }
    }

    /// `POST /api/v1/invitations/accept`.
    func add(invitations group: RouterGroup<AuthenticatedContext>) {
        group.post("accept") { request, context in
            let body = try await JSONBody.decode(AcceptBody.self, from: request, maxBytes: maxBodyBytes)
            return try JSONBody.response(try await members.accept(token: body.token, userID: context.userID, origin: context.origin(request)))
        }
    }

    private func userID(_ context: AuthenticatedContext) throws -> UUID {
        guard let id = UUID(uuidString: try context.parameters.require("user")) else { throw APIError.notFound("member") }
        return id
    }
}
