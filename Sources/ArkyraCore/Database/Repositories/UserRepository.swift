import Foundation
import Logging
import PostgresNIO

/// Users and their password hashes.
package struct UserRepository: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    /// Inserts a user.
    /// - Throws: ``RepositoryError/conflict(_:)`` when the email (case-insensitively) is taken.
    /// `verified: false` leaves the address unconfirmed until the account is activated.
    package func create(email: String, passwordHash: String, name: String, verified: Bool = true, on connection: PostgresConnection) async throws -> User {
        try await mappingConflicts {
            let rows = try await connection.query(
                """
                INSERT INTO users (email, password_hash, name, email_verified_at)
                VALUES (\(email), \(passwordHash), \(name), CASE WHEN \(verified) THEN now() END)
                RETURNING id, email, name, created_at
                """,
                logger: logger
            )
            for try await (id, email, name, createdAt) in rows.decode((UUID, String, String, Date).self) {
                return User(id: id, email: email, name: name, createdAt: createdAt)
            }
            throw PostgresDecodingError.Code.missingData
        }
    }

    /// The user with `email` (case-insensitive) and their password hash, or nil.
    package func credentials(email: String, client: Database) async throws -> (user: User, passwordHash: String, verified: Bool)? {
        let rows = try await client.query(
            """
            SELECT id, email, name, created_at, password_hash, email_verified_at IS NOT NULL FROM users
            WHERE lower(email) = lower(\(email)) AND deleted_at IS NULL
            """,
            logger: logger
        )
        for try await (id, email, name, createdAt, hash, verified) in rows.decode((UUID, String, String, Date, String, Bool).self) {
            return (User(id: id, email: email, name: name, createdAt: createdAt), hash, verified)
        }
        return nil
    }

    /// The user with `id`, or nil when there is none (or it was deleted).
    package func find(id: UUID, client: Database) async throws -> User? {
        let rows = try await client.query(
            "SELECT id, email, name, created_at FROM users WHERE id = \(id) AND deleted_at IS NULL", logger: logger
        )
        for try await (id, email, name, createdAt) in rows.decode((UUID, String, String, Date).self) {
            return User(id: id, email: email, name: name, createdAt: createdAt)
        }
        return nil
    }

    /// The password hash of user `id`, or nil when there is no such user.
    package func passwordHash(id: UUID, client: Database) async throws -> String? {
        let rows = try await client.query("SELECT password_hash FROM users WHERE id = \(id) AND deleted_at IS NULL", logger: logger)
        for try await hash in rows.decode(String.self) { return hash }
        return nil
    }

    /// Replaces the password hash of user `id`.
    package func updatePasswordHash(id: UUID, _ hash: String, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE users SET password_hash = \(hash), updated_at = now() WHERE id = \(id)", logger: logger)
    }

    /// Marks the user's address confirmed.
    package func markVerified(id: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = \(id)", logger: logger)
    }

    /// The language user `id` reads the web app in (`en`, `ar`, …), or nil for their browser's.
    package func language(id: UUID, client: Database) async throws -> String? {
        let rows = try await client.query("SELECT language FROM users WHERE id = \(id) AND deleted_at IS NULL", logger: logger)
        for try await language in rows.decode(String?.self) { return language }
        return nil
    }

    /// Stores the language user `id` chose (one of the web app's).
    package func setLanguage(id: UUID, _ language: String, client: Database) async throws {
        try await client.query("UPDATE users SET language = \(language), updated_at = now() WHERE id = \(id) AND deleted_at IS NULL", logger: logger)
    }
}
