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
    let signer: JWTSigner
    let revocations: SessionRevocations

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw APIError(.unauthorized, "unauthorized", "the Authorization header must be 'Bearer <access token>'")
        }
        let claims: JWTSigner.Claims
        do {
            claims = try signer.verify(String(header.dropFirst(7)))
        } catch JWTSigner.VerificationError.expired {
            throw APIError(.unauthorized, "token_expired", "the access token has expired; refresh it or log in again")
        } catch {
            throw APIError(.unauthorized, "unauthorized", "the access token is not valid")
        }
        guard let userID = UUID(uuidString: claims.sub) else {
            throw APIError(.unauthorized, "unauthorized", "the access token is not valid")
        }
        let sessionID = claims.sid.flatMap(UUID.init(uuidString:))
        if let sessionID, await revocations.isRevoked(sessionID) {
            throw APIError(.unauthorized, "session_revoked", "this session has ended; log in again")
        }
        var context = context
        context.userID = userID
        context.sessionID = sessionID
        context.logger[metadataKey: "user_id"] = .string(claims.sub)
        return try await next(request, context)
    }
}
