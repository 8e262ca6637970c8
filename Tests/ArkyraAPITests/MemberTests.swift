import ArkyraTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("API: members, invitations and roles")
struct MemberTests {
    @Test("an invitation for an email is accepted once, by that address only, with its role")
    func emailInvitation() async throws {
        try await APITestHarness.run { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let invited = try await api.request(.post, "/api/v1/organizations/\(organization)/invitations", token: owner,
                                                json: ["email": "Grace@Example.com", "role": "editor"])
            #expect(invited.status == .created)
            let token = try #require(invited.json["token"] as? String)
            #expect((invited.json["invitation"] as? [String: Any])?["role"] as? String == "editor")
            let stranger = try await api.signUpUser()
            let refused = try await api.request(.post, "/api/v1/invitations/accept", token: stranger.token, json: ["token": token])
            #expect(refused.status == .forbidden)
            #expect(refused.errorCode == "invitation_for_someone_else")
            let grace = try await api.signUpUser("grace@example.com")
            let accepted = try await api.request(.post, "/api/v1/invitations/accept", token: grace.token, json: ["token": token])
            #expect(accepted.status == .ok)
            #expect(accepted.json["role"] as? String == "editor")
            #expect(try await api.request(.post, "/api/v1/invitations/accept", token: grace.token, json: ["token": token]).status == .notFound)
            let listed = try await api.request(.get, "/api/v1/organizations/\(organization)/members", token: grace.token)
            #expect((listed.json["members"] as? [[String: Any]])?.map { $0["role"] as? String } == ["owner", "editor"])
            let pending = try await api.request(.get, "/api/v1/organizations/\(organization)/invitations", token: owner)
            #expect((pending.json["invitations"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("roles: nobody grants above their own role or ownership; only a higher role manages a member")
    func roleRules() async throws {
        try await APITestHarness.run { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let admin = try await api.member("admin", of: organization, invitedBy: owner)
            let otherAdmin = try await api.member("admin", of: organization, invitedBy: owner)
            let editor = try await api.member("editor", of: organization, invitedBy: admin.token)
            let members = "/api/v1/organizations/\(organization)/members"
            let invitations = "/api/v1/organizations/\(organization)/invitations"

            #expect(try await api.request(.post, invitations, token: editor.token, json: ["role": "viewer"]).status == .forbidden)
            #expect(try await api.request(.post, invitations, token: admin.token, json: ["role": "owner"]).errorFields["role"] == "ownership is transferred, not granted")
            #expect(try await api.request(.post, invitations, token: admin.token, json: ["role": "chief"]).status == .unprocessableContent)
            #expect(try await api.request(.patch, "\(members)/\(otherAdmin.id)", token: admin.token, json: ["role": "viewer"]).status == .forbidden)
            #expect(try await api.request(.patch, "\(members)/\(editor.id)", token: admin.token, json: ["role": "viewer"]).status == .noContent)
            #expect(try await api.request(.patch, "\(members)/\(otherAdmin.id)", token: owner, json: ["role": "editor"]).status == .noContent)
            #expect(try await api.request(.patch, "\(members)/\(editor.id)", token: admin.token, json: ["role": "owner"]).status == .unprocessableContent)
            #expect(try await api.request(.patch, "\(members)/\(UUID())", token: owner, json: ["role": "viewer"]).status == .notFound)
            let roles = try await api.request(.get, members, token: owner).json["members"] as? [[String: Any]] ?? []
            #expect(Set(roles.compactMap { $0["role"] as? String }) == ["owner", "admin", "editor", "viewer"])

            // Removing: a viewer cannot remove anyone, an admin removes those below; anyone but the owner may leave.
            #expect(try await api.request(.delete, "\(members)/\(admin.id)", token: editor.token).status == .forbidden)
            #expect(try await api.request(.delete, "\(members)/\(editor.id)", token: admin.token).status == .noContent)
            #expect(try await api.request(.get, members, token: editor.token).status == .notFound)
            #expect(try await api.request(.delete, "\(members)/\(otherAdmin.id)", token: otherAdmin.token).status == .noContent)
            let ownerID = try #require((try await api.request(.get, members, token: owner).json["members"] as? [[String: Any]])?.first?["user_id"] as? String)
            #expect(try await api.request(.delete, "\(members)/\(ownerID)", token: owner).errorCode == "owner_cannot_leave")
        }
    }

    @Test("ownership is transferred to a member; the old owner becomes an admin")
    func transferAndRename() async throws {
        try await APITestHarness.run { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let admin = try await api.member("admin", of: organization, invitedBy: owner)
            let path = "/api/v1/organizations/\(organization)"
            #expect(try await api.request(.post, "\(path)/transfer-ownership", token: admin.token, json: ["user_id": admin.id]).status == .forbidden)
            #expect(try await api.request(.post, "\(path)/transfer-ownership", token: owner, json: ["user_id": UUID().uuidString]).status == .unprocessableContent)
            #expect(try await api.request(.post, "\(path)/transfer-ownership", token: owner, json: ["user_id": admin.id]).status == .noContent)
            let listed = try await api.request(.get, "/api/v1/organizations", token: owner)
            #expect(((listed.json["organizations"] as? [[String: Any]])?.first?["role"] as? String) == "admin")
            #expect(try await api.request(.post, "\(path)/transfer-ownership", token: owner, json: ["user_id": admin.id]).status == .forbidden)
            let renamed = try await api.request(.patch, path, token: owner, json: ["name": "Acme Social"])
            #expect(renamed.status == .ok)
            #expect((renamed.json["organization"] as? [String: Any])?["name"] as? String == "Acme Social")
            #expect(try await api.request(.patch, path, token: owner, json: ["name": ""]).status == .unprocessableContent)
        }
    }
}
