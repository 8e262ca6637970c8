import Foundation

/// What the emulated X remembers besides its OAuth server's apps, accounts and tokens: posts.
actor XState {
    struct Post: Sendable {
        var id: String
        var authorID: String
        var text: String
        var replyTo: String?
        var createdAt: Date
        /// The uploaded media the post carries.
        var mediaIDs: [String] = []
        /// What readers did with it (the sandbox's control API sets these): likes, retweets, quotes, bookmarks, impressions.
        var metrics: [String: Int] = [:]
    }

    /// X's OAuth 2.0 server: codes live 30 s, access tokens two hours; `offline.access` gives a refresh token
    /// that works once (each refresh replaces it); confidential apps authenticate with Basic; PKCE is required.
    static let oauthPolicy = OAuthServer.Policy(
        displayName: "X", codeLifetime: 30, accessLifetime: 7200, refreshLifetime: nil, refreshRotates: true, refreshScope: "offline.access",
        requiresPKCE: true, clientAuthentication: .basic, accountIDs: .numeric, tokenType: "bearer",
        invalidCode: "Value passed for the authorization code was invalid.", invalidRefresh: "Value passed for the token was invalid.",
        invalidRefreshError: "invalid_request"
    )

    /// An uploaded image: whose, what, and its alt text; usable for a day.
    struct Media: Sendable {
        var id: String
        var ownerID: String
        var contentType: String
        var size: Int
        var alt: String?
        var expiresAt: Date
    }

    private(set) var posts: [Post] = []
    private(set) var media: [String: Media] = [:]
    private var nextID: UInt64 = 1_870_000_000_000_000_000

    enum CreateError: Error { case duplicate, replyNotFound, mediaNotFound }

    func addMedia(owner: String, contentType: String, size: Int, now: Date) -> Media {
        nextID += 1
        let item = Media(id: String(nextID), ownerID: owner, contentType: contentType, size: size, expiresAt: now.addingTimeInterval(86_400))
        media[item.id] = item
        return item
    }

    func setAlt(media id: String, owner: String, _ text: String) -> Bool {
        guard media[id]?.ownerID == owner else { return false }
        media[id]?.alt = text
        return true
    }

    func createPost(author: OAuthServer.Account, text: String, replyTo: String?, mediaIDs: [String] = [], now: Date) throws(CreateError) -> Post {
        if let replyTo, !posts.contains(where: { $0.id == replyTo }) { throw .replyNotFound }
        for id in mediaIDs where !(media[id].map { $0.ownerID == author.id && $0.expiresAt > now } ?? false) { throw .mediaNotFound }
        // X refuses the same text twice from one account (recent posts).
        if posts.contains(where: { $0.authorID == author.id && $0.text == text && now.timeIntervalSince($0.createdAt) < 86_400 }) { throw .duplicate }
        nextID += 1
        let post = Post(id: String(nextID), authorID: author.id, text: text, replyTo: replyTo, createdAt: now, mediaIDs: mediaIDs)
        posts.append(post)
        return post
    }

    func post(id: String) -> Post? { posts.first { $0.id == id } }

    func replies(to id: String) -> Int { posts.filter { $0.replyTo == id }.count }

    /// Sets what readers did with a post; false when there is none.
    func setMetrics(id: String, _ metrics: [String: Int]) -> Bool {
        guard let index = posts.firstIndex(where: { $0.id == id }) else { return false }
        posts[index].metrics = metrics
        return true
    }

    func deletePost(id: String, by author: OAuthServer.Account) -> Bool {
        guard let index = posts.firstIndex(where: { $0.id == id && $0.authorID == author.id }) else { return false }
        posts.remove(at: index)
        return true
    }

    /// Forgets the posts.
    func reset() {
        posts = []
        media = [:]
    }
}
