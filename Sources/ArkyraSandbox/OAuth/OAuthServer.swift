import Crypto
import Foundation

/// One platform's emulated OAuth 2.0 authorization server: registered apps, the accounts a person can consent
/// as, authorization codes (single use), access tokens and refresh tokens, with the lifetimes and rules of
/// ``Policy``. The platform's routes mount ``OAuthEndpoints`` on it and ask it who a bearer token is.
actor OAuthServer {
    /// How a platform's authorization server behaves where platforms differ.
    struct Policy: Sendable {
        /// Shown on the consent page ("X", "LinkedIn").
        var displayName: String
        var codeLifetime: TimeInterval
        var accessLifetime: TimeInterval
        /// Nil: refresh tokens do not expire.
        var refreshLifetime: TimeInterval?
        /// Whether each refresh replaces the refresh token (X) or keeps it (LinkedIn).
        var refreshRotates: Bool
        /// The scope that must be granted for a refresh token (X: `offline.access`); nil: always issued.
        var refreshScope: String?
        /// Whether the consent page refuses a request without an S256 `code_challenge`.
        var requiresPKCE: Bool
        /// How a confidential app proves itself at the token endpoint.
        var clientAuthentication: ClientAuthentication
        var accountIDs: AccountIDStyle
        /// The token answer's `token_type`, where the platform sends one.
        var tokenType: String?
        /// The `error_description` of a refused code, and of a refused refresh token (`error` is then
        /// ``invalidRefreshError``).
        var invalidCode: String
        var invalidRefresh: String
        var invalidRefreshError: String
    }

    enum ClientAuthentication: Sendable { case basic, requestBody }
    enum AccountIDStyle: Sendable { case numeric, alphanumeric }

    struct App: Sendable {
        var clientID: String
        var clientSecret: String?
    }

    struct Account: Sendable {
        var id: String
        var username: String
        var name: String
    }

    struct Grant: Sendable {
        var clientID: String
        var redirectURI: String
        /// Nil when the app asked without PKCE (allowed where the policy does not require it).
        var challenge: String?
        var accountID: String
        var scope: String
        var expiresAt: Date
    }

    struct Token: Sendable {
        var accountID: String
        var clientID: String
        var scope: String
        var expiresAt: Date
    }

    /// What the token endpoint hands out.
    struct Issued: Sendable {
        var access: String
        var refresh: String?
        var refreshExpiresAt: Date?
        var token: Token
    }

    /// The app `make run` and the tests register as on every platform, unless they name another.
    static let defaultApp = App(clientID: "arkyra-sandbox-client", clientSecret: "arkyra-sandbox-secret")

    let policy: Policy
    private(set) var apps: [String: App] = [defaultApp.clientID: defaultApp]
    private(set) var accounts: [Account] = []
    private var grants: [String: Grant] = [:]
    private var tokens: [String: Token] = [:]
    private var refreshTokens: [String: (token: Token, expiresAt: Date?)] = [:]
    private var nextID: UInt64 = 1_860_000_000_000_000_000

    init(policy: Policy) {
        self.policy = policy
    }

    func addApp(_ app: App) { apps[app.clientID] = app }

    /// The account named `username`, created if it is new.
    func addAccount(username: String, name: String?) -> Account {
        if let existing = accounts.first(where: { $0.username.lowercased() == username.lowercased() }) { return existing }
        nextID += 1
        let id = switch policy.accountIDs {
        case .numeric: String(nextID)
        case .alphanumeric: Self.random(10)
        }
        let account = Account(id: id, username: username, name: name ?? username)
        accounts.append(account)
        return account
    }

    func account(id: String) -> Account? { accounts.first { $0.id == id } }

    /// A code for `grant`, given once the person allowed it.
    func issueCode(_ grant: Grant) -> String {
        let code = Self.random(32)
        grants[code] = grant
        return code
    }

    enum ExchangeError: Error { case invalidCode, redirectMismatch, verifierMismatch, clientMismatch }

    /// Trades a code for tokens; the code works once, within its lifetime, for the app and redirect it was
    /// issued to, and, when it was asked for with a challenge, with the verifier of that challenge.
    func exchange(code: String, clientID: String, redirectURI: String, verifier: String, now: Date) throws(ExchangeError) -> Issued {
        guard let grant = grants.removeValue(forKey: code), grant.expiresAt > now else { throw .invalidCode }
        guard grant.clientID == clientID else { throw .clientMismatch }
        guard grant.redirectURI == redirectURI else { throw .redirectMismatch }
        if let challenge = grant.challenge, Self.challenge(verifier) != challenge { throw .verifierMismatch }
        let token = Token(accountID: grant.accountID, clientID: clientID, scope: grant.scope, expiresAt: now.addingTimeInterval(policy.accessLifetime))
        let refreshable = policy.refreshScope.map { grant.scope.split(separator: " ").contains(Substring($0)) } ?? true
        return issue(token, refresh: refreshable ? .new : .none, now: now)
    }

    /// New tokens for a refresh token; it is replaced where the policy rotates refresh tokens.
    func refresh(_ refreshToken: String, clientID: String, now: Date) -> Issued? {
        guard let old = refreshTokens[refreshToken], old.token.clientID == clientID, old.expiresAt.map({ $0 > now }) ?? true else { return nil }
        var token = old.token
        token.expiresAt = now.addingTimeInterval(policy.accessLifetime)
        if policy.refreshRotates {
            refreshTokens[refreshToken] = nil
            return issue(token, refresh: .new, now: now)
        }
        return issue(token, refresh: .kept(refreshToken, old.expiresAt), now: now)
    }

    private enum Refresh { case none, new, kept(String, Date?) }

    private func issue(_ token: Token, refresh: Refresh, now: Date) -> Issued {
        let access = Self.random(48)
        tokens[access] = token
        switch refresh {
        case .none:
            return Issued(access: access, refresh: nil, refreshExpiresAt: nil, token: token)
        case .new:
            let value = Self.random(48)
            let expiresAt = policy.refreshLifetime.map { now.addingTimeInterval($0) }
            refreshTokens[value] = (token, expiresAt)
            return Issued(access: access, refresh: value, refreshExpiresAt: expiresAt, token: token)
        case .kept(let value, let expiresAt):
            return Issued(access: access, refresh: value, refreshExpiresAt: expiresAt, token: token)
        }
    }

    /// The account an access token acts as, if it is known and has not expired.
    func authenticate(_ accessToken: String, now: Date) -> Account? {
        guard let token = tokens[accessToken], token.expiresAt > now else { return nil }
        return account(id: token.accountID)
    }

    /// The scopes a valid access token was granted, split on spaces and commas.
    func scopes(of accessToken: String, now: Date) -> Set<String> {
        guard let token = tokens[accessToken], token.expiresAt > now else { return [] }
        return Set(token.scope.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init))
    }

    /// A new access token for the account `accessToken` acts as, living `lifetime` (Meta's long-lived tokens,
    /// traded for a short-lived one and renewed by themselves); nil when `accessToken` is unknown or expired.
    func reissue(_ accessToken: String, lifetime: TimeInterval, now: Date) -> (access: String, token: Token)? {
        guard var token = tokens[accessToken], token.expiresAt > now else { return nil }
        token.expiresAt = now.addingTimeInterval(lifetime)
        let access = Self.random(48)
        tokens[access] = token
        return (access, token)
    }

    /// Makes an account's access tokens `seconds` older (they expire that much sooner); returns them.
    func age(accountID: String, by seconds: TimeInterval) -> [String] {
        var aged: [String] = []
        for (key, token) in tokens where token.accountID == accountID {
            tokens[key]?.expiresAt = token.expiresAt.addingTimeInterval(-seconds)
            aged.append(key)
        }
        return aged
    }

    /// Ends the life of an account's access tokens now (the sandbox's "expired token").
    func expireTokens(accountID: String) {
        for (key, token) in tokens where token.accountID == accountID { tokens[key]?.expiresAt = .distantPast }
    }

    /// Forgets codes and tokens; apps and accounts stay.
    func reset() {
        grants = [:]
        tokens = [:]
        refreshTokens = [:]
    }

    static func challenge(_ verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func random(_ count: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<count).map { _ in alphabet.randomElement()! })
    }
}
