import ArkyraCore
import Foundation
import Hummingbird

/// The pages the account emails link to: `/activate?token=…`, `/forgot-password` and
/// `/reset-password?token=…`. Opening a link only shows a button (mail scanners open links; a click spends
/// the token); the forms call AccountMailService, as `/api/v1/auth/activate`, `…/password/forgot` and
/// `…/password/reset` do, and keep what was typed (never a password) when refused.
struct AccountMailPages {
    let pages: WebPages

    func add(to router: RouterGroup<AppRequestContext>) {
        router.get("activate") { request, _ in
            page("activate", request, ["token": request.uri.queryParameters["token"].map(String.init) ?? ""])
        }
        router.post("activate") { request, context in
            let form = try await WebForm.read(request, expecting: pages.renderer.expectedToken(request, sessionID: nil))
            let token = form["token"] ?? ""
            do {
                let tokens = try await pages.mail.activate(token: token, origin: context.origin(request))
                var response = WebSessionMiddleware.redirect(to: "/app")
                pages.browser.store(tokens, on: &response)
                return response
            } catch let error as APIError {
                let error = pages.renderer.localized(error, request)
                return page("activate", request, ["token": token, "error": error.message], status: error.status)
            }
        }
        router.get("forgot-password") { request, _ in
            page("forgot", request, [:])
        }
        router.post("forgot-password") { request, context in
            let form = try await WebForm.read(request, expecting: pages.renderer.expectedToken(request, sessionID: nil))
            let email = form["email"] ?? ""
            do {
                try await pages.mail.forgotPassword(email: email, origin: context.origin(request))
                return page("forgot", request, ["email": email, "notice": pages.renderer.text("forgot_sent", request)], status: .accepted)
            } catch let error as APIError {
                let error = pages.renderer.localized(error, request)
                return page("forgot", request, WebPages.problem(error).merging(["email": email]) { own, _ in own }, status: error.status)
            }
        }
        router.get("reset-password") { request, _ in
            page("reset", request, ["token": request.uri.queryParameters["token"].map(String.init) ?? ""])
        }
        router.post("reset-password") { request, context in
            let form = try await WebForm.read(request, expecting: pages.renderer.expectedToken(request, sessionID: nil))
            let token = form["token"] ?? ""
            do {
                try await pages.mail.resetPassword(token: token, newPassword: form["new_password"] ?? "", origin: context.origin(request))
                return WebSessionMiddleware.redirect(to: "/login?done=password_reset")
            } catch let error as APIError {
                let error = pages.renderer.localized(error, request)
                // A spent or unknown link cannot be fixed by typing again: say so above the form.
                var values = WebPages.problem(error)
                if let problem = error.fields?["token"] { values = ["error": pages.renderer.text("reset_link_invalid", request) + " (\(problem))"] }
                values["token"] = token
                return page("reset", request, values, status: error.status)
            }
        }
    }

    private func page(_ template: String, _ request: Request, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        pages.renderer.render(template, values, request: request, viewer: nil, title: pages.renderer.text("\(template)_title", request), status: status)
    }
}
