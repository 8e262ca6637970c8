import ArkyraCore
import Foundation
import Hummingbird

/// `/app/:organization/settings` (admins and the owner): the organization's name, and for the owner its export,
/// the transfer of ownership to another member, and deleting it (its name typed to confirm). Each form calls the
/// service behind `PATCH /api/v1/organizations/:id`, `…/export`, `…/transfer-ownership` and `DELETE …`.
struct OrganizationSettingsPage {
    let pages: WebPages

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get("settings") { request, context in
            let member = try await pages.member(context, .manageSettings)
            return try await page(request, member: member, PageRenderer.values(["notice": pages.done(request)]))
        }
        group.post("settings/name") { request, context in
            let member = try await pages.member(context, .manageSettings)
            let form = try await pages.form(request, context)
            do {
                _ = try await pages.organizations.rename(member.id, to: form["name"] ?? "", by: context.userID, origin: context.origin(request))
                return WebSessionMiddleware.redirect(to: member.path + "/settings?done=organization_renamed")
            } catch let error as APIError where error.status == .unprocessableContent {
                let error = pages.renderer.localized(error, request)
                return try await page(request, member: member, ["rename": WebPages.problem(error)], status: error.status)
            }
        }
        group.get("settings/export") { _, context in
            let member = try await pages.member(context, .manageOrganization)
            return PrivacyRoutes.download(try await pages.privacy.exportOrganization(member.id), name: "arkyra-organization-export.json")
        }
        group.post("settings/transfer") { request, context in
            let member = try await pages.member(context, .manageOrganization)
            let form = try await pages.form(request, context)
            do {
                guard let target = UUID(uuidString: form["user_id"] ?? "") else { throw APIError.validation(["user_id": "choose a member"]) }
                try await pages.members.transferOwnership(to: target, organizationID: member.id, by: context.userID, origin: context.origin(request))
                return WebSessionMiddleware.redirect(to: member.path + "/team?done=ownership_transferred")
            } catch let error as APIError where error.status == .unprocessableContent {
                let error = pages.renderer.localized(error, request)
                return try await page(request, member: member, ["transfer": WebPages.problem(error)], status: error.status)
            }
        }
        group.post("settings/delete") { request, context in
            let member = try await pages.member(context, .manageOrganization)
            let form = try await pages.form(request, context)
            do {
                try await pages.privacy.deleteOrganization(member.id, confirmingName: form["name"] ?? "", by: context.userID, origin: context.origin(request))
                return WebSessionMiddleware.redirect(to: "/app")
            } catch let error as APIError where error.status == .unprocessableContent {
                let error = pages.renderer.localized(error, request)
                return try await page(request, member: member, ["deletion": WebPages.problem(error)], status: error.status)
            }
        }
    }

    private func page(_ request: Request, member: WebPages.MemberPage, _ values: [String: Any], status: HTTPResponse.Status = .ok) async throws -> Response {
        let owner = member.role == .owner
        var values = values
        values["nav_settings"] = true
        values["name"] = member.organization.organization.name
        values["owner"] = owner
        if owner {
            let others = try await pages.members.members(organizationID: member.id).filter { $0.userID != member.viewer.user.id }
            values["others"] = others.map { ["id": $0.userID.uuidString.lowercased(), "name": $0.name.isEmpty ? $0.email : "\($0.name) (\($0.email))"] }
            values["has_others"] = !others.isEmpty
        }
        return pages.renderer.render("settings", values, request: request, viewer: member.viewer, title: pages.renderer.text("settings_title", request), status: status)
    }
}
