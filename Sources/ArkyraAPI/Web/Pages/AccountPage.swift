import ArkyraCore
import Foundation
import Hummingbird

/// `/app/account`: the person's own settings — the sessions signed in to the account (ending any but this
/// one), the password, a download of everything stored about them, and deleting the account. Each form
/// calls the service behind `/api/v1/auth/sessions`, `/api/v1/auth/password`, `/api/v1/me/export` and
/// `DELETE /api/v1/me`.
struct AccountPage {
    let pages: WebPages

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get("account") { request, context in
            try await page(request, context, PageRenderer.values(["notice": pages.done(request)]))
        }
        group.post("account/sessions/:session/end") { request, context in
            _ = try await pages.form(request, context)
            guard let sessionID = UUID(uuidString: try context.parameters.require("session")) else { throw APIError.notFound("session") }
            try await pages.sessions.revoke(sessionID, userID: context.userID, reason: "revoked", origin: context.origin(request))
            return WebSessionMiddleware.redirect(to: "/app/account?done=session_ended")
        }
        group.post("account/password") { request, context in
            let form = try await pages.form(request, context)
            do {
                try await pages.accounts.changePassword(userID: context.userID, current: form["current_password"] ?? "", new: form["new_password"] ?? "",
                                                        keepingSession: context.sessionID, origin: context.origin(request))
                return WebSessionMiddleware.redirect(to: "/app/account?done=password_changed")
            } catch let error as APIError {
                let error = pages.renderer.localized(error, request)
                return try await page(request, context, ["password": WebPages.problem(error)], status: error.status)
            }
        }
        group.get("account/export") { _, context in
            PrivacyRoutes.download(try await pages.privacy.exportUser(context.userID), name: "arkyra-account-export.json")
        }
        group.post("account/delete") { request, context in
            let form = try await pages.form(request, context)
            do {
                try await pages.privacy.deleteUser(context.userID, password: form["password"] ?? "", origin: context.origin(request))
            } catch let error as APIError {
                let error = pages.renderer.localized(error, request)
                return try await page(request, context, ["deletion": WebPages.problem(error)], status: error.status)
            }
            var response = WebSessionMiddleware.redirect(to: "/login?done=account_deleted")
            pages.browser.clear(on: &response)
            return response
        }
    }

    private func page(_ request: Request, _ context: AuthenticatedContext, _ values: [String: Any], status: HTTPResponse.Status = .ok) async throws -> Response {
        let viewer = try await pages.viewer(context)
        let formatter = pages.formatter(request)
        let sessions = try await pages.sessions.list(userID: context.userID, current: context.sessionID)
        var values = values
        values["nav_account"] = true
        values["account_name"] = viewer.user.name
        values["account_email"] = viewer.user.email
        values["sessions"] = sessions.map { session in
            PageRenderer.values([
                "id": session.id.uuidString.lowercased(), "current": session.current,
                "device": session.userAgent.map { String($0.prefix(120)) } ?? pages.renderer.text("account_unknown_device", request),
                "ip": session.ip, "started": formatter.moment(session.createdAt), "last_used": formatter.moment(session.lastUsedAt),
            ])
        }
        return pages.renderer.render("account", values, request: request, viewer: viewer, title: pages.renderer.text("account_title", request), status: status)
    }
}
