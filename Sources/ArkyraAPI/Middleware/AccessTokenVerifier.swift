import ArkyraCore
import Foundation

/// Checks an access token: its signature and expiry, and whether its session has ended (logged out,
/// revoked, refresh token reused, password changed). The one check behind both the authentication
/// middleware and the WebSocket upgrade.
struct AccessTokenVerifier: Sendable {
    let signer: JWTSigner
    let revocations: RevokedSessions

    /// Who a valid token speaks for.
    struct Identity: Sendable {
        var userID: UUID
        var sessionID: UUID?
    }

    /// - Throws: 401 `token_expired`, `session_revoked` or `unauthorized`; 503 when whether the session was
    ///   revoked cannot be known.
    func verify(_ token: String) async throws -> Identity {
        let claims: JWTSigner.Claims
        do {
            claims = try signer.verify(token)
        } catch JWTSigner.VerificationError.expired {
            throw APIError(.unauthorized, "token_expired", "the access token has expired; refresh it or log in again")
        } catch {
            throw APIError(.unauthorized, "unauthorized", "the access token is not valid")
        }
        guard let userID = UUID(uuidString: claims.sub) else {
            throw APIError(.unauthorized, "unauthorized", "the access token is not valid")
        }
        let sessionID = claims.sid.flatMap(UUID.init(uuidString:))
        if let sessionID, try await revocations.isRevoked(sessionID) {
            throw APIError(.unauthorized, "session_revoked", "this session has ended; log in again")
        }
        return Identity(userID: userID, sessionID: sessionID)
    }
}
