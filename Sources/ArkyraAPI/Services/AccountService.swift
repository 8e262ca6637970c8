import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// Registration and login.
struct AccountService: Sendable {
    let database: PostgresClient
    let users: UserRepository
    let audit: AuditRepository
    let hasher: PasswordHasher
    let signer: JWTSigner
    let accessTokenLifetime: Duration
    let registrationEnabled: Bool
    let logger: Logger

    /// An access token as the API returns it.
    struct Session: Encodable {
        var user: User
        var accessToken: String
        var tokenType = "Bearer"
        var expiresIn: Int
    }

    func register(email: String, password: String, name: String, origin: RequestOrigin) async throws -> Session {
        guard registrationEnabled else {
            throw APIError(.forbidden, "registration_disabled", "registration is disabled on this installation; ask an administrator for an invitation")
        }
        var fields: [String: String] = [:]
        let email = email.trimmingCharacters(in: .whitespaces)
        if !Self.looksLikeEmail(email) { fields["email"] = "must be an email address" }
        if let problem = Self.passwordProblem(password) { fields["password"] = problem }
        if name.count > 200 { fields["name"] = "must be at most 200 characters" }
        guard fields.isEmpty else { throw APIError.validation(fields) }

        let hash = try await hasher.hash(password)
        do {
            let user = try await database.inTransaction(logger: logger) { connection in
                let user = try await users.create(email: email, passwordHash: hash, name: name, on: connection)
                try await audit.record(
                    AuditEvent(organizationID: nil, actorUserID: user.id, action: "user.registered", targetType: "user", targetID: user.id.uuidString, origin: origin),
                    on: connection
                )
                return user
            }
            return try session(for: user)
        } catch RepositoryError.conflict {
            throw APIError(.conflict, "email_taken", "an account with this email already exists")
        }
    }

    func login(email: String, password: String) async throws -> Session {
        let refused = APIError(.unauthorized, "invalid_credentials", "the email or password is wrong")
        guard let found = try await users.credentials(email: email.trimmingCharacters(in: .whitespaces), client: database) else {
            // Spend the same time as a real check (a hash at the configured cost), so response times do not
            // reveal which emails exist.
            _ = try await hasher.hash(password)
            throw refused
        }
        guard try await hasher.verify(password, against: found.passwordHash) else { throw refused }
        return try session(for: found.user)
    }

    private func session(for user: User) throws -> Session {
        Session(
            user: user,
            accessToken: try signer.sign(subject: user.id.uuidString, lifetime: accessTokenLifetime),
            expiresIn: Int(accessTokenLifetime.components.seconds)
        )
    }

    static func looksLikeEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        return (3...320).contains(email.count) && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".") && !email.contains(where: \.isWhitespace)
    }

    static func passwordProblem(_ password: String) -> String? {
        if password.count < PasswordHasher.minimumCharacters { return "must be at least \(PasswordHasher.minimumCharacters) characters" }
        if password.utf8.count > PasswordHasher.maximumBytes { return "must be at most \(PasswordHasher.maximumBytes) bytes" }
        return nil
    }

}
