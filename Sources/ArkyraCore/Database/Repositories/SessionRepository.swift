import Foundation
import Logging
import PostgresNIO

/// Login sessions and their rotating refresh tokens (stored as hashes).
package struct SessionRepository: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    /// A session as its user sees it.
    package struct Session: Sendable, Codable, Equatable {
        package var id: UUID
        package var userID: UUID
        package var createdAt: Date
        package var lastUsedAt: Date
        package var expiresAt: Date
        package var ip: String?
        package var userAgent: String?
    }

    /// What presenting a refresh token led to.
    package enum Rotation: Sendable, Equatable {
        /// The token was current: it is now used up and `newHash` replaces it.
        case rotated(sessionID: UUID, userID: UUID)
        /// The token had been used before: someone holds a copy. The whole session is revoked.
        case reused(sessionID: UUID, userID: UUID)
        /// Unknown token, or its session ended (revoked or expired).
        case invalid
    }

    static let columns = "id, user_id, created_at, last_used_at, expires_at, ip, user_agent"

    /// Opens a session for `userID` whose first refresh token hashes to `refreshHash`.
    package func create(userID: UUID, refreshHash: Data, expiresAt: Date, origin: RequestOrigin, on connection: PostgresConnection) async throws -> Session {
        let rows = try await connection.query(
            """
            INSERT INTO sessions (user_id, expires_at, ip, user_agent) VALUES (\(userID), \(expiresAt), \(origin.ip), \(origin.userAgent))
            RETURNING \(unescaped: Self.columns)
            """,
            logger: logger
        )
        guard let session = try await Self.decode(rows).first else { throw PostgresDecodingError.Code.missingData }
        try await connection.query("INSERT INTO refresh_tokens (token_hash, session_id) VALUES (\(refreshHash), \(session.id))", logger: logger)
        return session
    }

    /// Exchanges the refresh token hashing to `presentedHash` for `newHash`, extending the session to
    /// `expiresAt`. A token presented twice revokes its session.
    package func rotate(presentedHash: Data, newHash: Data, expiresAt: Date, on connection: PostgresConnection) async throws -> Rotation {
        let rows = try await connection.query(
            """
            SELECT t.session_id, s.user_id, t.rotated_at IS NOT NULL, s.revoked_at IS NULL AND s.expires_at > now()
            FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
            WHERE t.token_hash = \(presentedHash) FOR UPDATE OF t, s
            """,
            logger: logger
        )
        var found: (UUID, UUID, Bool, Bool)?
        for try await row in rows.decode((UUID, UUID, Bool, Bool).self) { found = row }
        guard let (sessionID, userID, used, live) = found, live else { return .invalid }
        if used {
            try await revoke(sessionID: sessionID, userID: userID, reason: "refresh_token_reused", on: connection)
            return .reused(sessionID: sessionID, userID: userID)
        }
        try await connection.query("UPDATE refresh_tokens SET rotated_at = now() WHERE token_hash = \(presentedHash)", logger: logger)
        try await connection.query("INSERT INTO refresh_tokens (token_hash, session_id) VALUES (\(newHash), \(sessionID))", logger: logger)
        try await connection.query(
            "UPDATE sessions SET last_used_at = now(), expires_at = \(expiresAt) WHERE id = \(sessionID)", logger: logger
        )
        return .rotated(sessionID: sessionID, userID: userID)
    }

    /// Ends a session of `userID`; returns whether it was live.
    @discardableResult
    package func revoke(sessionID: UUID, userID: UUID, reason: String, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE sessions SET revoked_at = now(), revoked_reason = \(reason)
            WHERE id = \(sessionID) AND user_id = \(userID) AND revoked_at IS NULL RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    /// Ends every live session of `userID` except `keeping`; returns the ids ended.
    package func revokeAll(userID: UUID, keeping: UUID?, reason: String, on connection: PostgresConnection) async throws -> [UUID] {
        let rows = try await connection.query(
            """
            UPDATE sessions SET revoked_at = now(), revoked_reason = \(reason)
            WHERE user_id = \(userID) AND revoked_at IS NULL AND id IS DISTINCT FROM \(keeping) RETURNING id
            """,
            logger: logger
        )
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }

    /// The sessions revoked, or deleted, within the last `window`.
    package func revoked(within window: Duration, client: Database) async throws -> [UUID] {
        let seconds = Double(window.milliseconds) / 1000
        let rows = try await client.query(
            """
            SELECT id FROM sessions WHERE revoked_at > now() - make_interval(secs => \(seconds))
            UNION ALL
            SELECT session_id FROM ended_sessions WHERE ended_at > now() - make_interval(secs => \(seconds))
            """,
            logger: logger
        )
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }

    /// Whether the session was revoked (a session that no longer exists counts as revoked).
    package func isRevoked(_ sessionID: UUID, client: Database) async throws -> Bool {
        for try await revoked in try await client.query("SELECT revoked_at IS NOT NULL FROM sessions WHERE id = \(sessionID)", logger: logger).decode(Bool.self) {
            return revoked
        }
        return true
    }

    /// The user's live sessions, newest first.
    package func list(userID: UUID, client: Database) async throws -> [Session] {
        try await Self.decode(client.query(
            """
            SELECT \(unescaped: Self.columns) FROM sessions
            WHERE user_id = \(userID) AND revoked_at IS NULL AND expires_at > now() ORDER BY created_at DESC LIMIT 200
            """,
            logger: logger
        ))
    }

    private static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [Session] {
        var sessions: [Session] = []
        for try await row in rows.decode((UUID, UUID, Date, Date, Date, String?, String?).self) {
            sessions.append(Session(id: row.0, userID: row.1, createdAt: row.2, lastUsedAt: row.3, expiresAt: row.4, ip: row.5, userAgent: row.6))
        }
        return sessions
    }

    /// Deletes (with their refresh tokens) up to `limit` sessions that expired or were revoked before `before`,
    /// and rotated refresh tokens older than that (kept until then to notice a stolen one being reused).
    @discardableResult
    package func purge(endedBefore before: Date, limit: Int = 10_000, client: Database) async throws -> Int {
        let rows = try await client.query(
            """
            WITH gone AS (
                DELETE FROM sessions WHERE id IN (
                    SELECT id FROM sessions WHERE expires_at < \(before) OR revoked_at < \(before) LIMIT \(limit)
                ) RETURNING id
            ), tombstones AS (
                DELETE FROM ended_sessions WHERE session_id IN (SELECT session_id FROM ended_sessions WHERE ended_at < \(before) LIMIT \(limit))
            ), rotated AS (
                DELETE FROM refresh_tokens WHERE token_hash IN (
                    SELECT token_hash FROM refresh_tokens WHERE rotated_at < \(before) LIMIT \(limit)
                )
            )
            SELECT count(*)::int FROM gone
            """,
            logger: logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
