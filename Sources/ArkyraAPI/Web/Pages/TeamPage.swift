import ArkyraCore
import Foundation
import Hummingbird

/// `/app/:organization/team`: the members and their roles, and for admins and the owner the invitations —
/// by email, or by a link shown once — a role per member they outrank, and removing them. Anyone but the
/// owner may leave. Each action is MemberService's, as `/api/v1/organizations/:organization/members` and
/// `…/invitations` (the service decides who may do what; the page only hides what would be refused).
struct TeamPage {
    let pages: WebPages

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get("team") { request, context in
            let member = try await pages.member(context, .readContent)
            return try await page(request, member: member, PageRenderer.values(["notice": pages.done(request)]))
        }
        group.post("team/invitations") { request, context in
            let member = try await pages.member(context, .manageMembers)
            let form = try await pages.form(request, context)
            let email = (form["email"] ?? "").trimmingCharacters(in: .whitespaces)
            do {
                let created = try await pages.members.invite(organizationID: member.id, email: email.isEmpty ? nil : email, role: form["role"] ?? "",
                                                             by: (context.userID, member.role), origin: context.origin(request))
                // An invitation by link is shown here once (only its hash is kept); one by email was sent.
                if created.invitation.email == nil {
                    return try await page(request, member: member, ["link": MemberService.invitationLink(publicURL: pages.publicURL, token: created.token)])
                }
                return WebSessionMiddleware.redirect(to: teamPath(member) + "?done=invitation_sent")
            } catch let error as APIError {
                let error = pages.renderer.localized(error, request)
                return try await page(request, member: member, ["invite": WebPages.problem(error).merging(["email": email, "role": form["role"] ?? ""]) { own, _ in own }],
                                      status: error.status)
            }
        }
        group.post("team/invitations/:invitation/revoke") { request, context in
            let member = try await pages.member(context, .manageMembers)
            _ = try await pages.form(request, context)
            guard let id = UUID(uuidString: try context.parameters.require("invitation")) else { throw APIError.notFound("invitation") }
            try await pages.members.revokeInvitation(id, organizationID: member.id, by: context.userID, origin: context.origin(request))
            return WebSessionMiddleware.redirect(to: teamPath(member) + "?done=invitation_revoked")
        }
        group.post("team/members/:user/role") { request, context in
            let member = try await pages.member(context, .manageMembers)
            let form = try await pages.form(request, context)
            do {
                try await pages.members.changeRole(of: try userID(context), to: form["role"] ?? "", organizationID: member.id,
                                                   by: (context.userID, member.role), origin: context.origin(request))
                return WebSessionMiddleware.redirect(to: teamPath(member) + "?done=role_changed")
            } catch let error as APIError where error.status == .unprocessableContent {
                let error = pages.renderer.localized(error, request)
                return try await page(request, member: member, ["error": error.fields?["role"].map { "\(pages.renderer.text("team_role", request)): \($0)" } ?? error.message],
                                      status: error.status)
            }
        }
        group.post("team/members/:user/remove") { request, context in
            let member = try await pages.member(context, .readContent)
            _ = try await pages.form(request, context)
            let target = try userID(context)
            do {
                try await pages.members.remove(target, organizationID: member.id, by: (context.userID, member.role), origin: context.origin(request))
            } catch let error as APIError where error.status == .conflict {
                let error = pages.renderer.localized(error, request)
                return try await page(request, member: member, ["error": error.message], status: error.status)
            }
            return WebSessionMiddleware.redirect(to: target == context.userID ? "/app" : teamPath(member) + "?done=member_removed")
        }
    }

    private func teamPath(_ member: WebPages.MemberPage) -> String { member.path + "/team" }

    private func userID(_ context: AuthenticatedContext) throws -> UUID {
        guard let id = UUID(uuidString: try context.parameters.require("user")) else { throw APIError.notFound("member") }
        return id
    }

    private func page(_ request: Request, member: WebPages.MemberPage, _ values: [String: Any], status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = pages.renderer.assets.catalogue.table(pages.renderer.language(request))
        let formatter = pages.formatter(request)
        let manages = member.role.includes(Permission.manageMembers.minimumRole)
        let people = try await pages.members.members(organizationID: member.id)
        let invitations = manages ? try await pages.members.pendingInvitations(organizationID: member.id) : []
        let chosen = (values["invite"] as? [String: Any])?["role"] as? String ?? Role.editor.rawValue
        func roleName(_ role: Role) -> String { t["role_\(role.rawValue)"] ?? role.rawValue }
        var values = values
        values["nav_team"] = true
        values["manages"] = manages
        values["members"] = people.map { person in
            let yourself = person.userID == member.viewer.user.id
            let changeable = manages && !yourself && member.role.canManage(person.role)
            return PageRenderer.values([
                "id": person.userID.uuidString.lowercased(), "name": person.name.isEmpty ? person.email : person.name, "email": person.email,
                "role": roleName(person.role), "joined": formatter.moment(person.joinedAt), "yourself": yourself,
                "leave": yourself && person.role != .owner, "changeable": changeable,
                "roles": changeable ? Role.allCases.filter { member.role.canGrant($0) }.map { ["value": $0.rawValue, "name": roleName($0), "selected": $0 == person.role] } : nil,
            ])
        }
        values["invitations"] = invitations.map { invitation in
            ["id": invitation.id.uuidString.lowercased(), "email": invitation.email ?? t["team_by_link"] ?? "link",
             "role": roleName(invitation.role), "expires": formatter.moment(invitation.expiresAt)]
        }
        values["has_invitations"] = !invitations.isEmpty
        values["grantable"] = Role.allCases.filter { member.role.canGrant($0) }.map { ["value": $0.rawValue, "name": roleName($0), "selected": $0.rawValue == chosen] }
        return pages.renderer.render("team", values, request: request, viewer: member.viewer, title: t["team_title"] ?? "Team", status: status)
    }
}
