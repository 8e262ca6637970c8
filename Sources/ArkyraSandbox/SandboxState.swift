import Foundation

/// Everything the sandbox remembers: accounts, created posts, idempotency keys, rate-limit windows,
/// injected faults and every request received.
actor SandboxState {
    struct MastodonAccount: Sendable {
        var id: String
        var username: String
        var displayName: String
        var token: String
        var createdAt: Date
    }

    struct MastodonStatus: Sendable {
        var id: String
        var accountID: String
        var text: String
        var visibility: String
        var inReplyToID: String?
        var createdAt: Date
    }

    private(set) var accounts: [String: MastodonAccount] = [:]  // by token
    private(set) var statuses: [MastodonStatus] = []
    private var idempotency: [String: (statusID: String, at: Date)] = [:]  // "account:key"
    private var windows: [String: (start: Date, count: Int)] = [:]  // "bucket:account"
    private var faults: [Fault] = []
    private(set) var requests: [RecordedRequest] = []
    private var nextID: Int64 = 109_000_000_000_000_000

    func addMastodonAccount(token: String, username: String, displayName: String? = nil) -> MastodonAccount {
        if let existing = accounts[token] { return existing }
        nextID += 1
        let account = MastodonAccount(id: String(nextID), username: username, displayName: displayName ?? username, token: token, createdAt: Date())
        accounts[token] = account
        return account
    }

    func mastodonAccount(token: String) -> MastodonAccount? { accounts[token] }

    /// Creates a status, or returns the one created earlier with the same idempotency key (kept 1 hour).
    func createStatus(account: MastodonAccount, text: String, visibility: String, inReplyToID: String?, idempotencyKey: String?, now: Date) -> MastodonStatus {
        if let key = idempotencyKey, let earlier = idempotency["\(account.id):\(key)"], now.timeIntervalSince(earlier.at) < 3600,
           let status = statuses.first(where: { $0.id == earlier.statusID }) {
            return status
        }
        nextID += 1
        let status = MastodonStatus(id: String(nextID), accountID: account.id, text: text, visibility: visibility, inReplyToID: inReplyToID, createdAt: now)
        statuses.append(status)
        if let key = idempotencyKey { idempotency["\(account.id):\(key)"] = (status.id, now) }
        return status
    }

    func status(id: String) -> MastodonStatus? { statuses.first { $0.id == id } }

    /// Counts a request in a fixed window; returns the limit state after counting it.
    func countRequest(bucket: String, accountID: String, limit: Int, window: TimeInterval, now: Date) -> (remaining: Int, reset: Date, exceeded: Bool) {
        let key = "\(bucket):\(accountID)"
        var current = windows[key] ?? (now, 0)
        if now.timeIntervalSince(current.start) >= window { current = (now, 0) }
        current.count += 1
        windows[key] = current
        return (max(0, limit - current.count), current.start.addingTimeInterval(window), current.count > limit)
    }

    func addFault(_ fault: Fault) { faults.append(fault) }

    /// Takes one use of the first fault for `platform`, if any.
    func takeFault(platform: String) -> Fault? {
        guard let index = faults.firstIndex(where: { $0.platform == platform && $0.count > 0 }) else { return nil }
        faults[index].count -= 1
        let fault = faults[index]
        if faults[index].count == 0 { faults.remove(at: index) }
        return fault
    }

    func record(_ request: RecordedRequest) {
        requests.append(request)
        if requests.count > 100_000 { requests.removeFirst(requests.count - 100_000) }
    }

    func reset() {
        statuses = []
        idempotency = [:]
        windows = [:]
        faults = []
        requests = []
    }
}
