import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// GDPR: `GET /api/v1/me/export`, `DELETE /api/v1/me`, and for owners `GET /api/v1/organizations/:organization/export`
/// and `DELETE /api/v1/organizations/:organization`.
struct PrivacyRoutes {
    let organizations: OrganizationService
    let privacy: PrivacyService
    let maxBodyBytes: Int

    struct DeleteAccountBody: StrictDecodable {
        typealias Fields = CodingKeys
        var password: String
        enum CodingKeys: String, CodingKey, CaseIterable { case password }
    }

    struct DeleteOrganizationBody: StrictDecodable {
        typealias Fields = CodingKeys
        var name: String
        enum CodingKeys: String, CodingKey, CaseIterable { case name }
    }

    func add(me group: RouterGroup<AuthenticatedContext>) {
        group.get("export") { _, context in
            Self.download(try await privacy.exportUser(context.userID), name: "arkyra-account-export.json")
        }
        group.delete { request, context in
            let body = try await JSONBody.decode(DeleteAccountBody.self, from: request, maxBytes: maxBodyBytes)
            try await privacy.deleteUser(context.userID, password: body.password, origin: context.origin(request))
            return Response(status: .noContent)
        }
    }

    func add(organization group: RouterGroup<AuthenticatedContext>) {
        group.get("export") { _, context in
            let organization = try await organizations.authorize(.manageOrganization, in: context)
            return Self.download(try await privacy.exportOrganization(organization.id), name: "arkyra-organization-export.json")
        }
        group.delete { request, context in
            let organization = try await organizations.authorize(.manageOrganization, in: context)
            let body = try await JSONBody.decode(DeleteOrganizationBody.self, from: request, maxBytes: maxBodyBytes)
            try await privacy.deleteOrganization(organization.id, confirmingName: body.name, by: context.userID, origin: context.origin(request))
            return Response(status: .noContent)
        }
    }

    static func download(_ json: String, name: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\""],
            body: .init(byteBuffer: ByteBuffer(string: json))
        )
    }
}
