import ArkyraCore
import Foundation
import Hummingbird

/// `/login`, `/signup`, `/logout` and `/language`: the pages before a session, and the one that ends it. The
/// language is the person's: stored on the account at sign-up (the browser's) and by the menu, and set on
/// each browser they log in from.
/// They call the same AccountService as `/api/v1/auth`; its errors are shown beside the field they name,
/// and what was typed (never the password) is kept.
struct AuthPages {
    let pages: WebPages

    func add(to router: RouterGroup<AppRequestContext>) {
        router.get("login") { request, _ in
            loginPage(request, values: PageRenderer.values([
                "next": WebPages.safeNext(request.uri.queryParameters["next"].map(String.init)), "notice": pages.done(request),
            ]))
        }
        router.post("login") { request, context in
            let form = try await WebForm.read(request, expecting: pages.renderer.expectedToken(request, sessionID: nil))
            let next = WebPages.safeNext(form["next"])
            let email = form["email"] ?? ""
            do {
                let tokens = try await pages.accounts.login(email: email, password: form["password"] ?? "", origin: context.origin(request))
                var response = WebSessionMiddleware.redirect(to: next)
                pages.browser.store(tokens, on: &response)
                // The language the person chose follows them to this browser.
                if let language = try await pages.users.language(id: tokens.user.id, client: pages.database).flatMap(Language.init(rawValue:)) {
                    response.setCookie(pages.browser.preference(Language.cookie, language.rawValue))
                }
                return response
            } catch let error as APIError {
                let error = pages.renderer.localized(error, request)
                return loginPage(request, values: ["next": next, "email": email, "error": error.message], status: error.status)
            }
        }
        router.get("signup") { request, _ in
            signupPage(request, values: ["next": WebPages.safeNext(request.uri.queryParameters["next"].map(String.init))])
        }
        router.post("signup") { request, context in
            let form = try await WebForm.read(request, expecting: pages.renderer.expectedToken(request, sessionID: nil))
            let next = WebPages.safeNext(form["next"])
            let values: [String: Any] = ["email": form["email"] ?? "", "name": form["name"] ?? "", "next": next]
            do {
                let registration = try await pages.accounts.register(
                    email: form["email"] ?? "", password: form["password"] ?? "", name: form["name"] ?? "", origin: context.origin(request)
                )
                switch registration {
                case .session(let tokens):
                    await storeLanguage(of: tokens.user.id, request, context)
                    var response = WebSessionMiddleware.redirect(to: next)
                    pages.browser.store(tokens, on: &response)
                    return response
                case .activationRequired(let user):
                    await storeLanguage(of: user.id, request, context)
                    return loginPage(request, values: ["notice": pages.renderer.text("signup_check_mail", request), "email": form["email"] ?? "", "next": next])
                }
            } catch let error as APIError {
                let error = pages.renderer.localized(error, request)
                var values = values
                values["error"] = error.fields == nil ? error.message : nil
                values["errors"] = error.fields ?? [:]
                return signupPage(request, values: values, status: error.status)
            }
        }
        router.post("logout") { request, context in
            let identity = await pages.cookieSession(request)
            _ = try await WebForm.read(request, expecting: pages.renderer.expectedToken(request, sessionID: identity?.sessionID))
            if let identity, let sessionID = identity.sessionID {
                try await pages.sessions.revoke(sessionID, userID: identity.userID, reason: "logout", origin: context.origin(request))
            }
            var response = WebSessionMiddleware.redirect(to: "/login")
            pages.browser.clear(on: &response)
            return response
        }
        // The language menu, on every page (logged in or not).
        router.post("language") { request, _ in
            let identity = await pages.cookieSession(request)
            let form = try await WebForm.read(request, expecting: pages.renderer.expectedToken(request, sessionID: identity?.sessionID), maxBytes: 4096)
            let next = form["next"].map { $0.hasPrefix("/") && !$0.hasPrefix("//") && !$0.contains("\\") ? $0 : "/app" } ?? "/app"
            var response = WebSessionMiddleware.redirect(to: next)
            if let language = form["language"].flatMap(Language.init(rawValue:)) {
                response.setCookie(pages.browser.preference(Language.cookie, language.rawValue))
                // Logged in, the choice is the account's too (the next browser they log in from opens in it).
                if let identity { try await pages.users.setLanguage(id: identity.userID, language.rawValue, client: pages.database) }
            }
            return response
        }
    }

    /// Keeps the language the sign-up page was shown in as the new account's. A preference: the account is
    /// made either way, so a failure to store it is logged rather than failing the sign-up.
    private func storeLanguage(of userID: UUID, _ request: Request, _ context: AppRequestContext) async {
        do {
            try await pages.users.setLanguage(id: userID, pages.renderer.language(request).rawValue, client: pages.database)
        } catch {
            context.logger.warning("the new account's language was not stored", metadata: ["error": "\(error)"])
        }
    }

    private func loginPage(_ request: Request, values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        pages.renderer.render("login", Self.linkingNext(values), request: request, viewer: nil, title: pages.renderer.text("login_title", request), status: status)
    }

    private func signupPage(_ request: Request, values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        pages.renderer.render("signup", Self.linkingNext(values), request: request, viewer: nil, title: pages.renderer.text("signup_title", request), status: status)
    }

    /// `next_link`: the page to come back to, escaped for the link between log-in and sign-up (an
    /// invitation's `?token=` survives the trip).
    private static func linkingNext(_ values: [String: Any]) -> [String: Any] {
        var values = values
        if let next = values["next"] as? String { values["next_link"] = WebSessionMiddleware.escape(next) }
        return values
    }
}
