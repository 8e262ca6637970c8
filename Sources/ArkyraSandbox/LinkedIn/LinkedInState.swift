import Foundation

/// What the emulated LinkedIn remembers besides its OAuth server: posts (shares) and their comments.
actor LinkedInState {
    struct Post: Sendable {
        var urn: String
        var author: String
        /// The commentary as sent, in LinkedIn's "little text format".
        var commentary: String
        var visibility: String
        var createdAt: Date
        /// Reactions readers gave it (the sandbox's control API sets them).
        var likes = 0
        /// The images it carries (`urn:li:image:…`), with their alt text.
        var images: [(urn: String, alt: String?)] = []
    }

    /// An image registered with `initializeUpload`: whose, and what was uploaded to it.
    struct Image: Sendable {
        var urn: String
        var owner: String
        var uploadID: String
        var contentType: String?
        var size = 0
    }

    struct Comment: Sendable {
        var urn: String
        var id: String
        var actor: String
        /// The post commented on.
        var object: String
        var text: String
        var createdAt: Date
    }

    /// LinkedIn's OAuth 2.0 server (3-legged, web apps): codes live 30 minutes, access tokens 60 days;
    /// apps with programmatic refresh get a refresh token that lives a year and is kept across refreshes;
    /// the client secret goes in the form body; PKCE is not used.
    static let oauthPolicy = OAuthServer.Policy(
        displayName: "LinkedIn", codeLifetime: 1800, accessLifetime: 5_184_000, refreshLifetime: 31_536_000, refreshRotates: false,
        refreshScope: nil, requiresPKCE: false, clientAuthentication: .requestBody, accountIDs: .alphanumeric, tokenType: nil,
        invalidCode: "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists",
        invalidRefresh: "The provided authorization grant or refresh token is invalid, expired or revoked.", invalidRefreshError: "invalid_grant"
    )

    private(set) var posts: [Post] = []
    private(set) var images: [String: Image] = [:]
    private(set) var comments: [Comment] = []
    private(set) var organizations: [Organization] = []

    /// A company Page and the members who administer it.
    struct Organization: Sendable {
        var id: String
        var name: String
        var vanityName: String
        var administrators: [String]

        var urn: String { "urn:li:organization:\(id)" }
    }

    /// A Page administered by `administrator` (a member URN).
    @discardableResult
    func addOrganization(name: String, administrator: String) -> Organization {
        nextID += 1
        let organization = Organization(id: String(nextID % 100_000_000), name: name,
                                        vanityName: name.lowercased().filter { $0.isLetter || $0.isNumber }, administrators: [administrator])
        organizations.append(organization)
        return organization
    }

    /// The Pages `member` administers (every member gets one the first time they ask).
    func organizations(administeredBy member: String, name: String) -> [Organization] {
        if !organizations.contains(where: { $0.administrators.contains(member) }) { addOrganization(name: "\(name)'s Company", administrator: member) }
        return organizations.filter { $0.administrators.contains(member) }
    }

    func organization(id: String) -> Organization? { organizations.first { $0.id == id } }

    /// Whether `member` may act as `author`: themselves, or a Page they administer.
    func may(_ member: String, actAs author: String) -> Bool {
        author == member || organizations.contains { $0.urn == author && $0.administrators.contains(member) }
    }
    private var nextID: UInt64 = 7_400_000_000_000_000_000

    enum Creation { case created(Post), duplicate(of: String) }

    /// A new share; LinkedIn refuses the same commentary twice from one author.
    func registerImage(owner: String) -> Image {
        nextID += 1
        let image = Image(urn: "urn:li:image:C4E10AQ\(nextID)", owner: owner, uploadID: BlueskyState.randomBase32(24))
        images[image.urn] = image
        return image
    }

    func receiveImage(uploadID: String, contentType: String, size: Int) -> Bool {
        guard let urn = images.values.first(where: { $0.uploadID == uploadID })?.urn else { return false }
        images[urn]?.contentType = contentType
        images[urn]?.size = size
        return true
    }

    func createPost(author: String, commentary: String, visibility: String, images: [(urn: String, alt: String?)] = [], now: Date) -> Creation {
        if let earlier = posts.first(where: { $0.author == author && $0.commentary == commentary }) { return .duplicate(of: earlier.urn) }
        nextID += 1
        var post = Post(urn: "urn:li:share:\(nextID)", author: author, commentary: commentary, visibility: visibility, createdAt: now)
        post.images = images
        posts.append(post)
        return .created(post)
    }

    func post(urn: String) -> Post? { posts.first { $0.urn == urn } }

    func setLikes(urn: String, _ likes: Int) -> Bool {
        guard let index = posts.firstIndex(where: { $0.urn == urn }) else { return false }
        posts[index].likes = likes
        return true
    }

    enum DeleteError: Error { case notFound, notAuthor }

    /// Removes a post by `member` or by a Page they administer.
    func deletePost(urn: String, by member: String) throws(DeleteError) {
        guard let index = posts.firstIndex(where: { $0.urn == urn }) else { throw .notFound }
        guard may(member, actAs: posts[index].author) else { throw .notAuthor }
        posts.remove(at: index)
        comments.removeAll { $0.object == urn }
    }

    /// Removes comment `id` on `object`, written by `actor`.
    func deleteComment(id: String, on object: String, by actor: String, member: String) throws(DeleteError) {
        guard let index = comments.firstIndex(where: { $0.id == id && $0.object == object }) else { throw .notFound }
        guard comments[index].actor == actor, may(member, actAs: actor) else { throw .notAuthor }
        comments.remove(at: index)
    }

    /// A comment on post `object`, or nil when there is no such post.
    func comment(on object: String, actor: String, text: String, now: Date) -> Comment? {
        guard posts.contains(where: { $0.urn == object }) else { return nil }
        nextID += 1
        let comment = Comment(urn: "urn:li:comment:(\(object),\(nextID))", id: String(nextID), actor: actor, object: object, text: text, createdAt: now)
        comments.append(comment)
        return comment
    }

    func reset() {
        posts = []
        images = [:]
        comments = []
        organizations = []
    }

    /// The text a reader sees for `commentary` in little text format: escapes removed, and cut at the first
    /// reserved character left unescaped (what LinkedIn does to such posts; `@[`, `#` and the rest start
    /// mentions and hashtags, and a stray one swallows the rest).
    static func shownText(_ commentary: String) -> String {
        var shown = ""
        var escaping = false
        for character in commentary {
            if escaping {
                shown.append(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if reserved.contains(character) {
                break
            } else {
                shown.append(character)
            }
        }
        return shown
    }

    static let reserved: Set<Character> = ["|", "{", "}", "@", "[", "]", "(", ")", "<", ">", "#", "*", "_", "~"]
}
