import Foundation

/// What the emulated Facebook remembers besides its OAuth server: the Pages each person manages (with each
/// Page's token), photos, posts and comments.
actor FacebookState {
    struct Page: Sendable {
        var id: String
        var name: String
        var category: String
        var managerID: String
        var token: String
        /// What the person may do on the Page (`CREATE_CONTENT` lets them post).
        var tasks: [String]
        /// The Instagram professional account linked to the Page (an account of the emulated Instagram).
        var instagramID: String?
    }

    struct Photo: Sendable {
        var id: String
        var pageID: String
        var contentType: String
        var bytes: Int
        var caption: String?
        var alt: String?
        var published: Bool
    }

    struct Post: Sendable {
        var id: String
        var pageID: String
        var message: String
        var photoIDs: [String]
        var createdAt: Date
        /// What readers did with it (the sandbox's control API sets these).
        var reactions = 0
        var shares = 0
        /// A video post's file size (nil: a feed or photo post).
        var videoBytes: Int?
    }

    /// A resumable video upload of a Page.
    struct VideoUpload: Sendable {
        var videoID: String
        var sessionID: String
        var pageID: String
        var size: Int
        var received = 0
        var head: [UInt8] = []
        var finished = false
    }

    struct Comment: Sendable {
        var id: String
        var postID: String
        var fromID: String
        var message: String
        var createdAt: Date
    }

    /// Facebook Login: codes live 10 minutes, the code's user token about two hours (it is traded for one of
    /// 60 days); the secret goes in the query; no PKCE.
    static let oauthPolicy = OAuthServer.Policy(
        displayName: "Facebook", codeLifetime: 600, accessLifetime: 7200, refreshLifetime: nil, refreshRotates: false,
        refreshScope: nil, requiresPKCE: false, clientAuthentication: .requestBody, accountIDs: .numeric, tokenType: "bearer",
        invalidCode: "This authorization code has been used.", invalidRefresh: "Error validating access token", invalidRefreshError: "invalid_grant"
    )
    static let longLifetime: TimeInterval = 5_184_000

    private(set) var pages: [Page] = []
    private(set) var photos: [String: Photo] = [:]
    private(set) var posts: [Post] = []
    private(set) var comments: [Comment] = []
    private var uploads: [String: VideoUpload] = [:]
    private var nextID: UInt64 = 102_000_000_000_000

    private func newID() -> String {
        nextID += UInt64.random(in: 1...999)
        return String(nextID)
    }

    /// A Page managed by `managerID` (every person gets one the first time their Pages are listed).
    @discardableResult
    func addPage(name: String, managerID: String, tasks: [String] = ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"]) -> Page {
        let page = Page(id: newID(), name: name, category: "Software company", managerID: managerID, token: "EAAP" + OAuthServer.random(40), tasks: tasks)
        pages.append(page)
        return page
    }

    func pages(of managerID: String, name: String) -> [Page] {
        if !pages.contains(where: { $0.managerID == managerID }) { addPage(name: "\(name)'s Page", managerID: managerID) }
        return pages.filter { $0.managerID == managerID }
    }

    func page(token: String) -> Page? { pages.first { $0.token == token } }

    /// Links an Instagram professional account to the Page; false when there is no such Page.
    func link(page id: String, instagram: String) -> Bool {
        guard let index = pages.firstIndex(where: { $0.id == id }) else { return false }
        pages[index].instagramID = instagram
        return true
    }

    /// Whether `id` is a post, photo or comment of the emulated Facebook.
    func knows(_ id: String) -> Bool {
        photos[id] != nil || posts.contains { $0.id == id } || comments.contains { $0.id == id }
    }

    func addPhoto(page: String, contentType: String, bytes: Int, caption: String?, alt: String?, published: Bool) -> Photo {
        let photo = Photo(id: newID(), pageID: page, contentType: contentType, bytes: bytes, caption: caption, alt: alt, published: published)
        photos[photo.id] = photo
        return photo
    }

    func photo(id: String) -> Photo? { photos[id] }

    func addPost(page: String, message: String, photoIDs: [String], now: Date) -> Post {
        let post = Post(id: "\(page)_\(newID())", pageID: page, message: message, photoIDs: photoIDs, createdAt: now)
        for id in photoIDs { photos[id]?.published = true }
        posts.append(post)
        return post
    }

    func post(id: String) -> Post? { posts.first { $0.id == id } }

    func startUpload(page: String, size: Int) -> VideoUpload {
        let upload = VideoUpload(videoID: newID(), sessionID: newID(), pageID: page, size: size)
        uploads[upload.sessionID] = upload
        return upload
    }

    func upload(session: String) -> VideoUpload? { uploads[session] }

    /// Takes a chunk at `offset` (at most where the upload stands); answers the upload after it.
    func receive(session: String, offset: Int, bytes: Data) -> VideoUpload? {
        guard var upload = uploads[session], offset <= upload.received, offset + bytes.count <= upload.size else { return nil }
        if offset == 0 { upload.head = [UInt8](bytes.prefix(16)) }
        upload.received = max(upload.received, offset + bytes.count)
        uploads[session] = upload
        return upload
    }

    /// Publishes a complete upload as a video post (once: finishing it again changes nothing).
    func finish(session: String, description: String, now: Date) -> Post? {
        guard var upload = uploads[session], upload.received == upload.size else { return nil }
        if upload.finished { return post(id: upload.videoID) }
        upload.finished = true
        uploads[session] = upload
        let post = Post(id: upload.videoID, pageID: upload.pageID, message: description, photoIDs: [], createdAt: now, videoBytes: upload.size)
        posts.append(post)
        return post
    }

    func setEngagement(id: String, reactions: Int, shares: Int) -> Bool {
        guard let index = posts.firstIndex(where: { $0.id == id }) else { return false }
        posts[index].reactions = reactions
        posts[index].shares = shares
        return true
    }

    func addComment(on postID: String, from: String, message: String, now: Date) -> Comment {
        let suffix = postID.split(separator: "_").last.map(String.init) ?? postID
        let comment = Comment(id: "\(suffix)_\(newID())", postID: postID, fromID: from, message: message, createdAt: now)
        comments.append(comment)
        return comment
    }

    /// Removes a post (with its comments) or a comment of `page`; false when there is none of its.
    func delete(id: String, by page: String) -> Bool {
        if let index = posts.firstIndex(where: { $0.id == id && $0.pageID == page }) {
            posts.remove(at: index)
            comments.removeAll { $0.postID == id }
            return true
        }
        if let index = comments.firstIndex(where: { $0.id == id && $0.fromID == page }) {
            comments.remove(at: index)
            return true
        }
        return false
    }

    func reset() {
        pages = []
        photos = [:]
        posts = []
        comments = []
        uploads = [:]
    }
}
