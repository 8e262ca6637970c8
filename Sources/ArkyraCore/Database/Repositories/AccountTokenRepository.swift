import Foundation
import Logging
import PostgresNIO

/// Single-use secrets sent by email (activation, password reset), stored as hashes.
package struct AccountTokenRepository: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    package enum Purpose: String, Sendable {
        case activation
        case passwordReset = "password_reset"
    }

    package func create(userID: UUID, purpose: Purpose, tokenHash: Data, expiresAt: Date, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO account_tokens (token_hash, user_id, purpose, expires_at) VALUES (\(tokenHash), \(userID), \(purpose.rawValue), \(expiresAt))
            """,
            logger: logger
        )
    }

    /// Uses up the unexpired, unused token hashing to `tokenHash` for `purpose`; returns its user, or nil.
    package func use(tokenHash: Data, purpose: Purpose, on connection: PostgresConnection) async throws -> UUID? {
        let rows = try await connection.query(
            """
            UPDATE account_tokens SET used_at = now()
            WHERE token_hash = \(tokenHash) AND purpose = \(purpose.rawValue) AND used_at IS NULL AND expires_at > now()
            RETURNING user_id
            """,
            logger: logger
        )
        for try await userID in rows.decode(UUID.self) { return userID }
        return nil
    }

    /// Ends every unused token of `userID` for `purpose` (a new one replaces them).
    package func expireUnused(userID: UUID, purpose: Purpose, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE account_tokens SET used_at = now() WHERE user_id = \(userID) AND purpose = \(purpose.rawValue) AND used_at IS NULL",
            logger: logger
        )
    }

    /// Deletes up to `limit` activation and reset tokens that expired or were used before `before`.
    @discardableResult
    package func purge(before: Date, limit: Int = 10_000, client: Database) async throws -> Int {
        let rows = try await client.query(
            """
            WITH gone AS (
                DELETE FROM account_tokens WHERE token_hash IN (
                    SELECT token_hash FROM account_tokens WHERE expires_at < \(before) OR used_at < \(before) LIMIT \(limit)
                ) RETURNING 1
            )
            SELECT count(*)::int FROM gone
            """,
            logger: logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
