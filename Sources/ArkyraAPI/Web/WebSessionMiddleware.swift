import ArkyraCore
import Foundation
import Hummingbird

/// Puts the browser session's user in the context of the web app's pages (`/app/...`). An expired access
/// token is refreshed with the refresh cookie and both cookies are replaced on the response; without a
/// usable session the person is sent to log in, and back to the page they asked for afterwards.
struct WebSessionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let verifier: AccessTokenVerifier
    let sessions: SessionService
    let browser: BrowserSession
    let coalescer = RefreshCoalescer()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let cookies = request.cookies
        var identity: AccessTokenVerifier.Identity?
        var refreshed: SessionService.Tokens?
        if let access = cookies[BrowserSession.accessCookie]?.value, !access.isEmpty {
            identity = try await Self.unlessRefused { try await verifier.verify(access) }
        }
        if identity == nil, let refresh = cookies[BrowserSession.refreshCookie]?.value, !refresh.isEmpty {
            let origin = context.origin(request)
            refreshed = try await Self.unlessRefused { [sessions] in
                try await coalescer.refresh(refresh) { try await sessions.refresh($0, origin: origin) }
            }
            if let refreshed { identity = .init(userID: refreshed.user.id, sessionID: refreshed.sessionID) }
        }
        guard let identity else {
            var response = Self.redirect(to: "/login?next=" + Self.escape(request.uri.description))
            browser.clear(on: &response)
            return response
        }
        var context = context
        context.userID = identity.userID
        context.sessionID = identity.sessionID
        context.logger[metadataKey: "user_id"] = .string(identity.userID.uuidString)
        var response = try await next(request, context)
        if let refreshed { browser.store(refreshed, on: &response) }
        return response
    }

    /// Nil when the token is refused (401); any other failure (PostgreSQL away: 503) goes on up.
    private static func unlessRefused<T>(_ body: () async throws -> T) async throws -> T? {
        do {
            return try await body()
        } catch let error as APIError where error.status == .unauthorized {
            return nil
        }
    }

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~/"))) ?? "/app"
    }
}
