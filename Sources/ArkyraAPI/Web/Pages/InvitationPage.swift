import ArkyraCore
import Foundation
import Hummingbird

/// `/app/invitations/accept?token=…`, where an invitation's link leads (after logging in or signing up, as
/// every page under `/app`): a button that joins the organization with MemberService.accept, as
/// `POST /api/v1/invitations/accept` does, then the organization's calendar.
struct InvitationPage {
    let pages: WebPages

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get("invitations/accept") { request, context in
            let viewer = try await pages.viewer(context)
            return page(request, viewer: viewer, ["token": request.uri.queryParameters["token"].map(String.init) ?? ""])
        }
        group.post("invitations/accept") { request, context in
            let form = try await pages.form(request, context)
            let token = form["token"] ?? ""
            do {
                let joined = try await pages.members.accept(token: token, userID: context.userID, origin: context.origin(request))
                return WebSessionMiddleware.redirect(to: "/app/\(joined.organization.id.uuidString.lowercased())/calendar")
            } catch let error as APIError {
                let error = pages.renderer.localized(error, request)
                let viewer = try await pages.viewer(context)
                return page(request, viewer: viewer, ["token": token, "error": error.message], status: error.status)
            }
        }
    }

    private func page(_ request: Request, viewer: PageRenderer.Viewer, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var values = values
        values["email"] = viewer.user.email
        return pages.renderer.render("invitation", values, request: request, viewer: viewer, title: pages.renderer.text("invitation_title", request), status: status)
    }
}
