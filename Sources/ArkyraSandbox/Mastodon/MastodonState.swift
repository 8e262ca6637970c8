import Foundation

/// What the emulated Mastodon server remembers: accounts by token, created statuses and the idempotency
/// keys they were created under.
actor MastodonState {
    struct Account: Sendable {
        var id: String
        var username: String
        var displayName: String
        var token: String
        var createdAt: Date
    }

    struct Status: Sendable {
        var id: String
        var accountID: String
        var text: String
        var visibility: String
        var inReplyToID: String?
        var createdAt: Date
    }

    private(set) var accounts: [String: Account] = [:]  // by token
    private(set) var statuses: [Status] = []
    private var idempotency: [String: (statusID: String, at: Date)] = [:]  // "account:key"
    private var nextID: Int64 = 109_000_000_000_000_000

    func addAccount(token: String, username: String, displayName: String? = nil) -> Account {
        if let existing = accounts[token] { return existing }
        nextID += 1
        let account = Account(id: String(nextID), username: username, displayName: displayName ?? username, token: token, createdAt: Date())
        accounts[token] = account
        return account
    }

    func account(token: String) -> Account? { accounts[token] }

    /// Creates a status, or returns the one created earlier with the same idempotency key (kept 1 hour).
    func createStatus(account: Account, text: String, visibility: String, inReplyToID: String?, idempotencyKey: String?, now: Date) -> Status {
        if let key = idempotencyKey, let earlier = idempotency["\(account.id):\(key)"], now.timeIntervalSince(earlier.at) < 3600,
           let status = statuses.first(where: { $0.id == earlier.statusID }) {
            return status
        }
        nextID += 1
        let status = Status(id: String(nextID), accountID: account.id, text: text, visibility: visibility, inReplyToID: inReplyToID, createdAt: now)
        statuses.append(status)
        if let key = idempotencyKey { idempotency["\(account.id):\(key)"] = (status.id, now) }
        return status
    }

    func status(id: String) -> Status? { statuses.first { $0.id == id } }

    /// Forgets statuses and idempotency keys; accounts stay.
    func reset() {
        statuses = []
        idempotency = [:]
    }
}
