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
        var mediaIDs: [String] = []
        /// What readers did with it (the sandbox's control API sets these).
        var favourites = 0
        var reblogs = 0
    }

    struct Attachment: Sendable {
        var id: String
        var accountID: String
        var contentType: String
        var size: Int
        var description: String?
        var width: Int?
        var height: Int?
        var statusID: String?
        /// Until when the server is processing it (videos).
        var readyAt = Date.distantPast

        var isVideo: Bool { contentType.hasPrefix("video/") }
    }

    private(set) var accounts: [String: Account] = [:]  // by token
    private(set) var statuses: [Status] = []
    private(set) var attachments: [String: Attachment] = [:]
    /// How long videos take to process (the sandbox's control API sets it).
    private(set) var processingSeconds: TimeInterval = 2
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
    /// Ids of `mediaIDs` that are the account's and not attached yet, as Mastodon attaches them (the rest it ignores).
    func attachable(_ mediaIDs: [String], account: Account) -> [String] {
        mediaIDs.filter { attachments[$0]?.accountID == account.id && attachments[$0]?.statusID == nil }
    }

    /// Videos uploaded from now on, and those still processing, are ready `seconds` from now.
    func setProcessing(seconds: TimeInterval, now: Date = Date()) {
        processingSeconds = seconds
        for (id, attachment) in attachments where attachment.readyAt > now { attachments[id]?.readyAt = now.addingTimeInterval(seconds) }
    }

    func addAttachment(account: Account, contentType: String, size: Int, description: String?, width: Int?, height: Int?, now: Date = Date()) -> Attachment {
        nextID += 1
        var attachment = Attachment(id: String(nextID), accountID: account.id, contentType: contentType, size: size, description: description,
                                    width: width, height: height)
        if attachment.isVideo { attachment.readyAt = now.addingTimeInterval(processingSeconds) }
        attachments[attachment.id] = attachment
        return attachment
    }

    func attachment(id: String) -> Attachment? { attachments[id] }

    func createStatus(account: Account, text: String, visibility: String, inReplyToID: String?, idempotencyKey: String?, now: Date,
                      mediaIDs: [String] = []) -> Status {
        if let key = idempotencyKey, let earlier = idempotency["\(account.id):\(key)"], now.timeIntervalSince(earlier.at) < 3600,
           let status = statuses.first(where: { $0.id == earlier.statusID }) {
            return status
        }
        nextID += 1
        var status = Status(id: String(nextID), accountID: account.id, text: text, visibility: visibility, inReplyToID: inReplyToID, createdAt: now)
        status.mediaIDs = attachable(mediaIDs, account: account)
        for id in status.mediaIDs { attachments[id]?.statusID = status.id }
        statuses.append(status)
        if let key = idempotencyKey { idempotency["\(account.id):\(key)"] = (status.id, now) }
        return status
    }

    func status(id: String) -> Status? { statuses.first { $0.id == id } }

    /// How many statuses reply to `id`.
    func replies(to id: String) -> Int { statuses.filter { $0.inReplyToID == id }.count }

    /// Sets what readers did with a status; false when there is none.
    func setEngagement(id: String, favourites: Int, reblogs: Int) -> Bool {
        guard let index = statuses.firstIndex(where: { $0.id == id }) else { return false }
        statuses[index].favourites = favourites
        statuses[index].reblogs = reblogs
        return true
    }

    /// Removes the account's status `id` and returns it (its attachments come loose, as Mastodon keeps them
    /// for a redraft); nil when the account has no such status.
    func deleteStatus(id: String, account: Account) -> Status? {
        guard let index = statuses.firstIndex(where: { $0.id == id && $0.accountID == account.id }) else { return nil }
        let status = statuses.remove(at: index)
        for media in status.mediaIDs { attachments[media]?.statusID = nil }
        return status
    }

    /// Forgets statuses and idempotency keys; accounts stay.
    func reset() {
        statuses = []
        attachments = [:]
        idempotency = [:]
        processingSeconds = 2
    }
}
