import ArkyraCore
import Foundation
import Logging

/// Access tokens are stateless and short-lived; a revoked session must still stop working at once. Revoking
/// marks the session in Redis for as long as any of its access tokens can live, and every authenticated
/// request checks the mark. If Redis cannot answer, the check lets the request through (and logs): access
/// tokens expire within `ARKYRA_ACCESS_TOKEN_TTL_SECONDS` anyway, and refreshing is checked in PostgreSQL.
struct SessionRevocations: Sendable {
    let redis: RedisClient
    let accessTokenLifetime: Duration
    let logger: Logger

    private func key(_ sessionID: UUID) -> String { redis.key("revoked-session:\(sessionID.uuidString.lowercased())") }

    /// Marks sessions revoked for as long as their access tokens live.
    func markRevoked(_ sessionIDs: [UUID]) async {
        for sessionID in sessionIDs {
            do {
                _ = try await redis.set(key(sessionID), "1", expiresIn: accessTokenLifetime + .seconds(5))
            } catch {
                logger.warning("could not mark a session revoked in Redis; its access tokens live until they expire",
                               metadata: ["session_id": "\(sessionID)", "error": "\(error)"])
            }
        }
    }

    func isRevoked(_ sessionID: UUID) async -> Bool {
        do {
            return try await redis.get(key(sessionID)) != nil
        } catch {
            logger.warning("cannot check session revocation; letting the request through", metadata: ["error": "\(error)"])
            return false
        }
    }
}
