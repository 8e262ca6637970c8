import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// Sessions: a login opens one and returns a short-lived access token plus a refresh token. Refreshing
/// rotates the refresh token; presenting an already-used one (a stolen copy) revokes the whole session.
struct SessionService: Sendable {
    let database: Database
    let sessions: SessionRepository
    let users: UserRepository
    let audit: AuditRepository
    let signer: JWTSigner
    let revocations: RevokedSessions
    let accessTokenLifetime: Duration
    let refreshTokenLifetime: Duration
    let logger: Logger

    /// What logging in or refreshing returns.
    struct Tokens: Encodable {
        var user: User
        var accessToken: String
        var tokenType = "Bearer"
        /// Seconds the access token lives.
        var expiresIn: Int
        var refreshToken: String
        var sessionID: UUID
    }

    /// A session as its user sees it in the list.
    struct View: Encodable {
        var id: UUID
        var createdAt: Date
        var lastUsedAt: Date
        var expiresAt: Date
        var ip: String?
        var userAgent: String?
        var current: Bool
    }

    /// Opens a session for `user` inside the caller's transaction.
    func open(for user: User, origin: RequestOrigin, on connection: PostgresConnection) async throws -> Tokens {
        let refreshToken = SecretToken.generate(prefix: "rt_")
        let session = try await sessions.create(
            userID: user.id, refreshHash: SecretToken.hash(refreshToken), expiresAt: refreshExpiry(), origin: origin, on: connection
        )
        return try tokens(user: user, sessionID: session.id, refreshToken: refreshToken)
    }

    /// Exchanges a refresh token for new tokens.
    /// - Throws: 401 `invalid_refresh_token` for an unknown, used-up or expired token; a reused token also
    ///   revokes its session (and is audited).
    func refresh(_ presented: String, origin: RequestOrigin) async throws -> Tokens {
        let refused = APIError(.unauthorized, "invalid_refresh_token", "the refresh token is not valid; log in again")
        let next = SecretToken.generate(prefix: "rt_")
        let rotation = try await database.inTransaction(logger: logger) { connection in
            let rotation = try await sessions.rotate(
                presentedHash: SecretToken.hash(presented), newHash: SecretToken.hash(next), expiresAt: refreshExpiry(), on: connection
            )
            if case .reused(let sessionID, let userID) = rotation {
                try await audit.record(
                    AuditEvent(organizationID: nil, actorUserID: userID, action: "session.refresh_token_reused", targetType: "session",
                               targetID: sessionID.uuidString, origin: origin),
                    on: connection
                )
            }
            return rotation
        }
        switch rotation {
        case .rotated(let sessionID, let userID):
            guard let user = try await users.find(id: userID, client: database) else { throw refused }
            return try tokens(user: user, sessionID: sessionID, refreshToken: next)
        case .reused(let sessionID, _):
            logger.warning("a used refresh token was presented again; the session is revoked", metadata: ["session_id": "\(sessionID)"])
            revocations.noteRevoked([sessionID])
            throw refused
        case .invalid:
            throw refused
        }
    }

    /// The user's live sessions, marking the one `current` belongs to.
    func list(userID: UUID, current: UUID?) async throws -> [View] {
        try await sessions.list(userID: userID, client: database).map { session in
            View(id: session.id, createdAt: session.createdAt, lastUsedAt: session.lastUsedAt, expiresAt: session.expiresAt,
                 ip: session.ip, userAgent: session.userAgent, current: session.id == current)
        }
    }

    /// Ends one of the user's sessions (logging out is ending the current one).
    /// - Throws: 404 when the user has no such live session.
    func revoke(_ sessionID: UUID, userID: UUID, reason: String, origin: RequestOrigin) async throws {
        let event = AuditEvent(organizationID: nil, actorUserID: userID, action: "session.revoked", targetType: "session",
                               targetID: sessionID.uuidString, origin: origin)
        let revoked = try await audit.recordingIfChanged(event, database: database, logger: logger) { connection in
            try await sessions.revoke(sessionID: sessionID, userID: userID, reason: reason, on: connection)
        }
        guard revoked else { throw APIError.notFound("session") }
        revocations.noteRevoked([sessionID])
    }

    /// Writes a new password hash and ends the user's sessions but `keeping`, with the audit line
    /// `user.<reason>`, in one transaction. `user` runs first in it and names whose password it is (or throws).
    func replacePassword(hash: String, keeping sessionID: UUID?, reason: String, origin: RequestOrigin,
                         user: @Sendable (PostgresConnection) async throws -> UUID) async throws {
        let ended = try await database.inTransaction(logger: logger) { connection in
            let userID = try await user(connection)
            try await users.updatePasswordHash(id: userID, hash, on: connection)
            let ended = try await sessions.revokeAll(userID: userID, keeping: sessionID, reason: reason, on: connection)
            try await audit.record(
                AuditEvent(organizationID: nil, actorUserID: userID, action: "user.\(reason)", targetType: "user", targetID: userID.uuidString, origin: origin),
                on: connection
            )
            return ended
        }
        revocations.noteRevoked(ended)
    }

    private func tokens(user: User, sessionID: UUID, refreshToken: String) throws -> Tokens {
        Tokens(
            user: user,
            accessToken: try signer.sign(subject: user.id.uuidString, sessionID: sessionID.uuidString, lifetime: accessTokenLifetime),
            expiresIn: Int(accessTokenLifetime.components.seconds), refreshToken: refreshToken, sessionID: sessionID
        )
    }

    private func refreshExpiry() -> Date {
        Date().addingTimeInterval(TimeInterval(refreshTokenLifetime.components.seconds))
    }
}
