import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Reads `Authorization: Bearer <access token>`; a valid token puts its user in the context. A present but
/// invalid token is refused with 401 at once (rather than treated as anonymous), so clients learn to refresh.
/// A token of a revoked session (logged out, revoked from the session list, refresh token reused, password
/// changed) is refused too.
///
/// Without the header, the browser session's cookie (``BrowserSession``) is read instead; a state-changing
/// request it authenticates must carry the session's CSRF token in `X-CSRF-Token`, or it is refused with
/// 403 before anything runs.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let verifier: AccessTokenVerifier
    let browser: BrowserSession

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let identity: AccessTokenVerifier.Identity
        if let header = request.headers[.authorization] {
            guard let token = BearerToken.from(header) else {
                throw APIError(.unauthorized, "unauthorized", "the Authorization header must be 'Bearer <access token>'")
            }
            identity = try await verifier.verify(token)
        } else if let cookie = request.cookies[BrowserSession.accessCookie], !cookie.value.isEmpty {
            identity = try await verifier.verify(cookie.value)
            if !BrowserSession.isSafe(request.method) {
                guard let sessionID = identity.sessionID,
                      let presented = request.headers[HTTPField.Name(BrowserSession.csrfHeader)!],
                      browser.csrf.matches(presented, sessionID: sessionID)
                else {
                    throw APIError(.forbidden, "csrf_failed", "a request authenticated by the session cookie must carry the page's CSRF token in X-CSRF-Token")
                }
            }
        } else {
            return try await next(request, context)
        }
        var context = context
        context.userID = identity.userID
        context.sessionID = identity.sessionID
        context.logger[metadataKey: "user_id"] = .string(identity.userID.uuidString)
        return try await next(request, context)
    }
}
