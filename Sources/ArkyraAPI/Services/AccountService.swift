import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// Registration, login (throttled per account and per address) and password changes.
struct AccountService: Sendable {
    let database: Database
    let users: UserRepository
    let audit: AuditRepository
    let hasher: PasswordHasher
    let sessions: SessionService
    let mail: AccountMailService
    let limiter: RateLimiter
    let registrationEnabled: Bool
    let logger: Logger

    /// Login attempts allowed in ``loginWindow`` before 429: for one account from one address (what a
    /// guesser at one address gets, without locking the owner out elsewhere), from one address over all
    /// accounts, and for one account from everywhere (a cap on guessing from many addresses). A login that
    /// succeeds is given back.
    static let loginAttemptsPerAccountAndAddress = 10
    static let loginAttemptsPerAddress = 50
    static let loginAttemptsPerAccount = 100
    static let loginWindow = Duration.seconds(15 * 60)

    /// What registering led to: a session, or (when email is configured) an account waiting for activation.
    enum Registration: Encodable {
        case session(SessionService.Tokens)
        case activationRequired(User)

        struct Pending: Encodable {
            var user: User
            var activationRequired = true
        }

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .session(let tokens): try tokens.encode(to: encoder)
            case .activationRequired(let user): try Pending(user: user).encode(to: encoder)
            }
        }
    }

    func register(email: String, password: String, name: String, origin: RequestOrigin) async throws -> Registration {
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
            return try await database.inTransaction(logger: logger) { connection in
                let user = try await users.create(email: email, passwordHash: hash, name: name, verified: !mail.enabled, on: connection)
                try await audit.record(
                    AuditEvent(organizationID: nil, actorUserID: user.id, action: "user.registered", targetType: "user", targetID: user.id.uuidString, origin: origin),
                    on: connection
                )
                guard mail.enabled else { return .session(try await sessions.open(for: user, origin: origin, on: connection)) }
                try await mail.sendActivation(to: user, origin: origin, on: connection)
                return .activationRequired(user)
            }
        } catch RepositoryError.conflict {
            throw APIError(.conflict, "email_taken", "an account with this email already exists")
        }
    }

    /// Checks the password and opens a session.
    /// - Throws: 401 for a wrong email or password (the same answer, in the same time); 429 with
    ///   `Retry-After` after too many failures for the account or from the address.
    func login(email: String, password: String, origin: RequestOrigin) async throws -> SessionService.Tokens {
        let email = email.trimmingCharacters(in: .whitespaces)
        let budgets = loginBudgets(email: email, origin: origin)
        // The attempt is counted before the password is checked, in one call that counts it against every
        // budget or none: concurrent guesses cannot slip past the limit, and bcrypt runs only for attempts
        // within it. With Redis down this throws, and the login answers 503: unthrottled guessing never runs.
        let decisions = try await limiter.hit(budgets, window: Self.loginWindow)
        if let refused = decisions.filter({ !$0.allowed }).max(by: { $0.resetSeconds < $1.resetSeconds }) {
            throw APIError(.tooManyRequests, "too_many_attempts", "too many login attempts; try again in \(refused.resetSeconds) s",
                           headers: ["Retry-After": String(refused.resetSeconds)])
        }
        let found = try await users.credentials(email: email, client: database)
        // An unknown email costs a real hash at the configured cost, so timing does not reveal which exist.
        var valid = false
        if let found {
            valid = try await hasher.verify(password, against: found.passwordHash)
        } else {
            _ = try await hasher.hash(password)
        }
        guard valid, let user = found?.user else {
            throw APIError(.unauthorized, "invalid_credentials", "the email or password is wrong")
        }
        try? await limiter.refund(budgets.map(\.key), window: Self.loginWindow)
        guard found?.verified == true else {
            throw APIError(.forbidden, "email_not_verified", "activate your account with the link we emailed you first")
        }
        return try await database.inTransaction(logger: logger) { connection in
            try await sessions.open(for: user, origin: origin, on: connection)
        }
    }

    /// Changes the password after checking the current one, and ends every other session.
    func changePassword(userID: UUID, current: String, new: String, keepingSession sessionID: UUID?, origin: RequestOrigin) async throws {
        if let problem = Self.passwordProblem(new) { throw APIError.validation(["new_password": problem]) }
        guard let stored = try await users.passwordHash(id: userID, client: database), try await hasher.verify(current, against: stored) else {
            throw APIError(.unprocessableContent, "wrong_password", "the current password is wrong", fields: ["current_password": "is wrong"])
        }
        let hash = try await hasher.hash(new)
        try await sessions.replacePassword(hash: hash, keeping: sessionID, reason: "password_changed", origin: origin) { _ in userID }
    }

    private func loginBudgets(email: String, origin: RequestOrigin) -> [(key: String, limit: Int)] {
        let account = email.lowercased()
        let address = origin.ip ?? "unknown"
        return [
            ("login:account-address:\(account)|\(address)", Self.loginAttemptsPerAccountAndAddress),
            ("login:address:\(address)", Self.loginAttemptsPerAddress),
            ("login:account:\(account)", Self.loginAttemptsPerAccount),
        ]
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
