import Crypto
import Foundation

/// What the emulated X remembers: registered apps, accounts, authorization codes (single use, 30 s), access
/// tokens (two hours), refresh tokens (single use: each refresh replaces it) and posts.
actor XState {
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
        var challenge: String
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

    struct Post: Sendable {
        var id: String
        var authorID: String
        var text: String
        var replyTo: String?
        var createdAt: Date
    }

    /// The app `make run` and the tests register as, unless they name another.
    static let defaultApp = App(clientID: "arkyra-sandbox-client", clientSecret: "arkyra-sandbox-secret")
    static let codeLifetime: TimeInterval = 30
    static let accessLifetime: TimeInterval = 7200

    private(set) var apps: [String: App] = [defaultApp.clientID: defaultApp]
    private(set) var accounts: [Account] = []
    private var grants: [String: Grant] = [:]
    private var tokens: [String: Token] = [:]
    private var refreshTokens: [String: Token] = [:]
    private(set) var posts: [Post] = []
    private var nextID: UInt64 = 1_860_000_000_000_000_000

    func addApp(_ app: App) { apps[app.clientID] = app }

    func addAccount(username: String, name: String?) -> Account {
        if let existing = accounts.first(where: { $0.username.lowercased() == username.lowercased() }) { return existing }
        nextID += 1
        let account = Account(id: String(nextID), username: username, name: name ?? username)
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
    /// issued to, with the verifier whose S256 challenge it was asked with.
    func exchange(code: String, clientID: String, redirectURI: String, verifier: String, now: Date) throws(ExchangeError) -> (access: String, refresh: String?, token: Token) {
        guard let grant = grants.removeValue(forKey: code), grant.expiresAt > now else { throw .invalidCode }
        guard grant.clientID == clientID else { throw .clientMismatch }
        guard grant.redirectURI == redirectURI else { throw .redirectMismatch }
        guard Self.challenge(verifier) == grant.challenge else { throw .verifierMismatch }
        let token = Token(accountID: grant.accountID, clientID: clientID, scope: grant.scope, expiresAt: now.addingTimeInterval(Self.accessLifetime))
        return issue(token, refreshable: grant.scope.split(separator: " ").contains("offline.access"))
    }

    /// Replaces a refresh token (it works once) with new tokens.
    func refresh(_ refreshToken: String, clientID: String, now: Date) -> (access: String, refresh: String?, token: Token)? {
        guard let old = refreshTokens[refreshToken], old.clientID == clientID else { return nil }
        refreshTokens[refreshToken] = nil
        var token = old
        token.expiresAt = now.addingTimeInterval(Self.accessLifetime)
        return issue(token, refreshable: true)
    }

    private func issue(_ token: Token, refreshable: Bool) -> (access: String, refresh: String?, token: Token) {
        let access = Self.random(48)
        tokens[access] = token
        var refresh: String?
        if refreshable {
            refresh = Self.random(48)
            refreshTokens[refresh!] = token
        }
        return (access, refresh, token)
    }

    /// The account an access token acts as, if it is known and has not expired.
    func authenticate(_ accessToken: String, now: Date) -> Account? {
        guard let token = tokens[accessToken], token.expiresAt > now else { return nil }
        return account(id: token.accountID)
    }

    /// Ends an access token's life now (the sandbox's "expired token" for a given account).
    func expireTokens(accountID: String) {
        for (key, token) in tokens where token.accountID == accountID { tokens[key]?.expiresAt = .distantPast }
    }

    enum CreateError: Error { case duplicate, replyNotFound }

    func createPost(author: Account, text: String, replyTo: String?, now: Date) throws(CreateError) -> Post {
        if let replyTo, !posts.contains(where: { $0.id == replyTo }) { throw .replyNotFound }
        // X refuses the same text twice from one account (recent posts).
        if posts.contains(where: { $0.authorID == author.id && $0.text == text && now.timeIntervalSince($0.createdAt) < 86_400 }) { throw .duplicate }
        nextID += 1
        let post = Post(id: String(nextID), authorID: author.id, text: text, replyTo: replyTo, createdAt: now)
        posts.append(post)
        return post
    }

    func post(id: String) -> Post? { posts.first { $0.id == id } }

    func deletePost(id: String, by author: Account) -> Bool {
        guard let index = posts.firstIndex(where: { $0.id == id && $0.authorID == author.id }) else { return false }
        posts.remove(at: index)
        return true
    }

    /// Forgets codes, tokens and posts; apps and accounts stay.
    func reset() {
        grants = [:]
        tokens = [:]
        refreshTokens = [:]
        posts = []
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
