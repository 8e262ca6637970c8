import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// What needs an email: activating a new account (when SMTP is configured) and resetting a forgotten
/// password. The secret goes out through the ``Mailer``, in the same transaction as its hash is written.
struct AccountMailService: Sendable {
    let database: Database
    let users: UserRepository
    let tokens: AccountTokenRepository
    let audit: AuditRepository
    let hasher: PasswordHasher
    let sessions: SessionService
    let limiter: RateLimiter
    let mailer: Mailer
    let logger: Logger
    static let activationLifetime: TimeInterval = 48 * 3600
    static let resetLifetime: TimeInterval = 3600
    /// Reset emails per address per hour; more requests are answered the same way but send nothing.
    static let resetsPerHour = 3

    var enabled: Bool { mailer.enabled }

    /// Creates the activation secret and its email, in the caller's transaction.
    func sendActivation(to user: User, origin: RequestOrigin, on connection: PostgresConnection) async throws {
        let token = SecretToken.generate(prefix: "act_")
        try await tokens.create(userID: user.id, purpose: .activation, tokenHash: SecretToken.hash(token),
                                expiresAt: Date().addingTimeInterval(Self.activationLifetime), on: connection)
        let email = EmailJob(to: user.email, subject: "Activate your ARKYRA account", body: """
            Welcome to ARKYRA.

            Open this link to activate your account (it works for 48 hours):

            \(mailer.publicURL)/activate?token=\(token)

            Or send {"token": "\(token)"} to POST \(mailer.publicURL)/api/v1/auth/activate.
            If you did not sign up, ignore this email.
            """)
        try await mailer.send(email, origin: origin)
    }

    /// Confirms the address and logs in.
    /// - Throws: 422 for an unknown, used or expired token.
    func activate(token: String, origin: RequestOrigin) async throws -> SessionService.Tokens {
        try await database.inTransaction(logger: logger) { connection in
            guard let userID = try await tokens.use(tokenHash: SecretToken.hash(token), purpose: .activation, on: connection) else {
                throw APIError(.unprocessableContent, "invalid_token", "the activation link is unknown, used or expired", fields: ["token": "is unknown, used or expired"])
            }
            try await users.markVerified(id: userID, on: connection)
            guard let user = try await users.find(id: userID, client: database) else { throw APIError.notFound("user") }
            try await audit.record(
                AuditEvent(organizationID: nil, actorUserID: userID, action: "user.activated", targetType: "user", targetID: userID.uuidString, origin: origin),
                on: connection
            )
            return try await sessions.open(for: user, origin: origin, on: connection)
        }
    }

    /// Sends a reset link when the address has an account. The answer is the same either way, so it does not
    /// tell which addresses exist.
    /// - Throws: 503 `email_unavailable` when this installation sends no email.
    func forgotPassword(email rawEmail: String, origin: RequestOrigin) async throws {
        guard enabled else {
            throw APIError(.serviceUnavailable, "email_unavailable", "this installation sends no email; ask an administrator to reset your password")
        }
        let email = rawEmail.trimmingCharacters(in: .whitespaces)
        guard AccountService.looksLikeEmail(email) else { throw APIError.validation(["email": "must be an email address"]) }
        guard try await limiter.hit("reset:\(email.lowercased())", limit: Self.resetsPerHour, window: .seconds(3600)).allowed,
              let account = try await users.credentials(email: email, client: database)
        else { return }
        let token = SecretToken.generate(prefix: "rst_")
        try await database.inTransaction(logger: logger) { connection in
            try await tokens.expireUnused(userID: account.user.id, purpose: .passwordReset, on: connection)
            try await tokens.create(userID: account.user.id, purpose: .passwordReset, tokenHash: SecretToken.hash(token),
                                    expiresAt: Date().addingTimeInterval(Self.resetLifetime), on: connection)
            try await audit.record(
                AuditEvent(organizationID: nil, actorUserID: account.user.id, action: "user.password_reset_requested", targetType: "user",
                           targetID: account.user.id.uuidString, origin: origin),
                on: connection
            )
            let email = EmailJob(to: account.user.email, subject: "Reset your ARKYRA password", body: """
                Someone asked to reset the password of your ARKYRA account.

                Open this link to choose a new one (it works for one hour, once):

                \(mailer.publicURL)/reset-password?token=\(token)

                Or send {"token": "\(token)", "new_password": "..."} to POST \(mailer.publicURL)/api/v1/auth/password/reset.
                If it was not you, ignore this email: your password stays as it is.
                """)
            try await mailer.send(email, origin: origin)
        }
    }

    /// Sets a new password with a reset secret and ends every session.
    /// - Throws: 422 for a weak password or an unknown, used or expired token.
    func resetPassword(token: String, newPassword: String, origin: RequestOrigin) async throws {
        if let problem = AccountService.passwordProblem(newPassword) { throw APIError.validation(["new_password": problem]) }
        let hash = try await hasher.hash(newPassword)
        try await sessions.replacePassword(hash: hash, keeping: nil, reason: "password_reset", origin: origin) { connection in
            guard let userID = try await tokens.use(tokenHash: SecretToken.hash(token), purpose: .passwordReset, on: connection) else {
                throw APIError(.unprocessableContent, "invalid_token", "the reset link is unknown, used or expired", fields: ["token": "is unknown, used or expired"])
            }
            try await users.markVerified(id: userID, on: connection)
            return userID
        }
    }
}
