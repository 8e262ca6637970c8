import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Reads `Authorization: Bearer <access token>`; a valid token puts its user in the context. A present but
/// invalid token is refused with 401 at once (rather than treated as anonymous), so clients learn to refresh.
/// A token of a revoked session (logged out, revoked from the session list, refresh token reused, password
/// changed) is refused too.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let verifier: AccessTokenVerifier

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        guard let token = BearerToken.from(header) else {
            throw APIError(.unauthorized, "unauthorized", "the Authorization header must be 'Bearer <access token>'")
        }
        let identity = try await verifier.verify(token)
        var context = context
        context.userID = identity.userID
        context.sessionID = identity.sessionID
        context.logger[metadataKey: "user_id"] = .string(identity.userID.uuidString)
        return try await next(request, context)
    }
}
