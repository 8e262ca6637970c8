import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What an emulated Meta API that publishes through containers (Threads, Instagram) remembers besides its
/// OAuth server: long-lived tokens, media containers (with the files it fetched for them and how long it
/// takes to process them), published posts and their comments.
actor MetaContainerState {
    enum ContainerStatus: String, Sendable { case inProgress = "IN_PROGRESS", finished = "FINISHED", error = "ERROR", expired = "EXPIRED", published = "PUBLISHED" }

    struct Container: Sendable {
        var id: String
        var ownerID: String
        var mediaType: String
        var text: String?
        var mediaURL: String?
        var altText: String?
        var replyTo: String?
        var isCarouselItem: Bool
        var children: [String]
        var createdAt: Date
        /// Until when Threads is processing the file.
        var readyAt: Date
        /// What fetching the file found: its type, or the error Threads reports.
        var fetched: Result<String, Failure>?
        var publishedID: String?
    }

    struct Failure: Error, Sendable { var code: String }

    struct Comment: Sendable {
        var id: String
        var mediaID: String
        var fromID: String
        var username: String
        var text: String
        var timestamp: Date
    }

    struct Post: Sendable {
        var id: String
        var ownerID: String
        var username: String
        var mediaType: String
        var text: String?
        var replyTo: String?
        var shortcode: String
        var media: [[String: String]]
        var timestamp: Date
        /// What readers did with it (the sandbox's control API sets these): views, likes, reposts, quotes, shares.
        var insights: [String: Int] = [:]
    }

    /// Long-lived tokens live 60 days, and may be renewed once a day old.
    static let longLifetime: TimeInterval = 5_184_000

    private(set) var containers: [String: Container] = [:]
    private(set) var posts: [Post] = []
    private(set) var comments: [Comment] = []
    /// When each long-lived token was issued.
    private var longLived: [String: Date] = [:]
    /// How long files take to process, and an error to report instead of finishing (the sandbox's control API).
    private(set) var processingSeconds: TimeInterval = 2
    private var processingError: String?
    private var nextID: UInt64 = 17_890_000_000_000_000

    func issuedLongLived(_ token: String, at date: Date) { longLived[token] = date }

    func issueDate(ofLongLived token: String) -> Date? { longLived[token] }

    /// Makes a long-lived token look `days` older (for tests of renewal).
    func age(tokens: [String], by seconds: TimeInterval) {
        for token in tokens where longLived[token] != nil { longLived[token]? -= seconds }
    }

    var longLivedTokens: [String] { Array(longLived.keys) }

    /// Files fetched from now on, and those still processing, are ready `seconds` from now (or fail with `error`).
    func setProcessing(seconds: TimeInterval, error: String?, now: Date = Date()) {
        processingSeconds = seconds
        processingError = error
        for (id, container) in containers where container.readyAt > now { containers[id]?.readyAt = now.addingTimeInterval(seconds) }
    }

    private func newID() -> String {
        nextID += UInt64.random(in: 1...999)
        return String(nextID)
    }

    func createContainer(owner: String, mediaType: String, text: String?, mediaURL: String?, altText: String?, replyTo: String?,
                         isCarouselItem: Bool, children: [String], now: Date) -> Container {
        let hasFile = mediaURL != nil
        let container = Container(
            id: newID(), ownerID: owner, mediaType: mediaType, text: text, mediaURL: mediaURL, altText: altText, replyTo: replyTo,
            isCarouselItem: isCarouselItem, children: children, createdAt: now, readyAt: now.addingTimeInterval(hasFile ? processingSeconds : 0),
            fetched: hasFile ? nil : .success("")
        )
        containers[container.id] = container
        if let mediaURL, let url = URL(string: mediaURL) {
            let video = mediaType == "VIDEO" || mediaType == "REELS", id = container.id, failure = processingError
            Task { await self.fetched(id, Self.fetch(url, video: video, failure: failure)) }
        }
        return container
    }

    private func fetched(_ id: String, _ result: Result<String, Failure>) { containers[id]?.fetched = result }

    /// Fetches a file as Threads' crawler does and checks that it is a type Threads takes (JPEG or PNG
    /// images; MP4 or MOV videos).
    private static func fetch(_ url: URL, video: Bool, failure: String?) async -> Result<String, Failure> {
        if let failure { return .failure(Failure(code: failure)) }
        let downloadError = video ? "FAILED_DOWNLOADING_VIDEO" : "UNKNOWN"
        guard let (data, response) = try? await URLSession.shared.data(from: url), (response as? HTTPURLResponse)?.statusCode == 200 else {
            return .failure(Failure(code: downloadError))
        }
        let type = SandboxMediaType.sniff(data)
        if video {
            return type == "video/mp4" ? .success("video/mp4") : .failure(Failure(code: "FAILED_PROCESSING_VIDEO"))
        }
        return type == "image/jpeg" || type == "image/png" ? .success(type ?? "") : .failure(Failure(code: "UNKNOWN"))
    }

    /// A container's status now: items of a carousel finish with their files; a carousel when its items have.
    func status(of id: String, now: Date) -> (ContainerStatus, error: String?)? {
        guard let container = containers[id] else { return nil }
        if container.publishedID != nil { return (.published, nil) }
        if now.timeIntervalSince(container.createdAt) > 86_400 { return (.expired, nil) }
        if !container.children.isEmpty {
            for child in container.children {
                guard let (status, error) = status(of: child, now: now) else { return (.error, "UNKNOWN") }
                if status != .finished { return (status, error) }
            }
            return (.finished, nil)
        }
        guard now >= container.readyAt, let fetched = container.fetched else { return (.inProgress, nil) }
        switch fetched {
        case .success: return (.finished, nil)
        case .failure(let failure): return (.error, failure.code)
        }
    }

    enum PublishError: Error { case notFound, notReady, alreadyPublished, failed }

    /// Publishes a finished container of `owner` as a post.
    func publish(container id: String, owner: String, username: String, now: Date) throws(PublishError) -> Post {
        guard let container = containers[id], container.ownerID == owner, !container.isCarouselItem else { throw .notFound }
        switch status(of: id, now: now)?.0 {
        case .finished?: break
        case .published?: throw .alreadyPublished
        case .inProgress?: throw .notReady
        default: throw .failed
        }
        let items = container.children.isEmpty ? [container] : container.children.compactMap { containers[$0] }
        let media = items.compactMap { item in item.mediaURL.map { ["media_type": item.mediaType, "url": $0, "alt_text": item.altText ?? ""] } }
        let post = Post(
            id: newID(), ownerID: owner, username: username, mediaType: container.mediaType, text: container.text, replyTo: container.replyTo,
            shortcode: OAuthServer.random(11), media: media, timestamp: now
        )
        containers[id]?.publishedID = post.id
        posts.append(post)
        return post
    }

    func post(id: String) -> Post? { posts.first { $0.id == id } }

    /// Sets what readers did with a post; false when there is none.
    func setInsights(id: String, _ insights: [String: Int]) -> Bool {
        guard let index = posts.firstIndex(where: { $0.id == id }) else { return false }
        posts[index].insights = insights
        return true
    }

    func container(id: String) -> Container? { containers[id] }

    /// Removes post `id` of `owner` (with its comments), or a comment of theirs; false when there is none.
    func delete(post id: String, owner: String) -> Bool {
        if let index = posts.firstIndex(where: { $0.id == id && $0.ownerID == owner }) {
            posts.remove(at: index)
            comments.removeAll { $0.mediaID == id }
            return true
        }
        guard let index = comments.firstIndex(where: { $0.id == id && $0.fromID == owner }) else { return false }
        comments.remove(at: index)
        return true
    }

    func addComment(on mediaID: String, from owner: String, username: String, text: String, now: Date) -> Comment {
        let comment = Comment(id: newID(), mediaID: mediaID, fromID: owner, username: username, text: text, timestamp: now)
        comments.append(comment)
        return comment
    }

    func reset() {
        containers = [:]
        posts = []
        comments = []
        longLived = [:]
        processingSeconds = 2
        processingError = nil
    }
}
