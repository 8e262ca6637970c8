import Foundation

/// What the emulated Reddit remembers besides its OAuth server: subreddits people joined, posts and comments.
actor RedditState {
    struct Thing: Sendable {
        /// `t3_…` for posts, `t1_…` for comments.
        var name: String
        var author: String
        var subreddit: String
        var title: String?
        var text: String
        /// The post a comment is on (`t3_…`), and the thing it answers.
        var linkID: String?
        var parentID: String?
        var createdAt: Date
        var ups = 1
    }

    /// Reddit's OAuth server: codes live 10 minutes, access tokens a day; `duration=permanent` gives a refresh
    /// token that is kept across refreshes; the app authenticates with Basic; no PKCE.
    static let oauthPolicy = OAuthServer.Policy(
        displayName: "Reddit", codeLifetime: 600, accessLifetime: 86_400, refreshLifetime: nil, refreshRotates: false,
        refreshScope: nil, requiresPKCE: false, clientAuthentication: .basic, accountIDs: .alphanumeric, tokenType: "bearer",
        invalidCode: "invalid_grant", invalidRefresh: "invalid_grant", invalidRefreshError: "invalid_grant"
    )

    private(set) var things: [Thing] = []
    private(set) var joined: [String: [String]] = [:]
    private var nextID = 1_000_000

    /// The subreddits `user` joined (everyone is in r/arkyra_sandbox).
    func subreddits(of user: String) -> [String] { ["arkyra_sandbox"] + (joined[user] ?? []) }

    func join(_ subreddit: String, user: String) { joined[user, default: []].append(subreddit) }

    func add(author: String, subreddit: String, title: String?, text: String, kind: String, linkID: String?, parentID: String?, now: Date) -> Thing {
        nextID += 1
        let thing = Thing(name: "\(kind)_\(String(nextID, radix: 36))", author: author, subreddit: subreddit, title: title, text: text,
                          linkID: linkID, parentID: parentID, createdAt: now)
        things.append(thing)
        return thing
    }

    func thing(name: String) -> Thing? { things.first { $0.name == name } }

    func setUps(name: String, _ ups: Int) -> Bool {
        guard let index = things.firstIndex(where: { $0.name == name }) else { return false }
        things[index].ups = ups
        return true
    }

    /// Deletes a thing of `author` (its text becomes `[deleted]` and it leaves listings, as on Reddit).
    func delete(name: String, author: String) {
        things.removeAll { $0.name == name && $0.author == author }
    }

    func reset() {
        things = []
        joined = [:]
    }
}
