import Foundation

/// What the emulated YouTube remembers besides Google's OAuth server: each account's channel, resumable
/// upload sessions, videos and their comments.
actor YouTubeState {
    struct Channel: Sendable {
        var id: String
        var ownerID: String
        var title: String
        var handle: String
        var createdAt: Date
    }

    struct Session: Sendable {
        var id: String
        var ownerID: String
        var channelID: String
        var title: String
        var description: String
        var privacy: String
        var categoryID: String
        var contentType: String
        var total: Int
        var received = 0
        /// The file's first bytes, to tell whether it is a video.
        var head: [UInt8] = []
        var videoID: String?
        var createdAt: Date
    }

    struct Video: Sendable {
        var id: String
        var channelID: String
        var title: String
        var description: String
        var privacy: String
        var categoryID: String
        var bytes: Int
        /// `processed`, or `rejected` for a file that is no video.
        var uploadStatus: String
        var publishedAt: Date
        var statistics: [String: Int] = [:]
    }

    struct Comment: Sendable {
        var id: String
        var videoID: String
        var channelID: String
        var text: String
        var publishedAt: Date
    }

    /// Google's OAuth server: codes live 10 minutes, access tokens an hour, refresh tokens until revoked (kept
    /// across refreshes); the client secret goes in the form; PKCE optional.
    static let oauthPolicy = OAuthServer.Policy(
        displayName: "Google", codeLifetime: 600, accessLifetime: 3599, refreshLifetime: nil, refreshRotates: false,
        refreshScope: nil, requiresPKCE: false, clientAuthentication: .requestBody, accountIDs: .numeric, tokenType: "Bearer",
        invalidCode: "Malformed auth code.", invalidRefresh: "Token has been expired or revoked.", invalidRefreshError: "invalid_grant"
    )

    private(set) var channels: [Channel] = []
    private var sessions: [String: Session] = [:]
    private(set) var videos: [Video] = []
    private(set) var comments: [Comment] = []

    static func randomID(_ count: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        return String((0..<count).map { _ in alphabet.randomElement()! })
    }

    /// The account's channel (created the first time it is asked for).
    func channel(of account: OAuthServer.Account, now: Date) -> Channel {
        if let channel = channels.first(where: { $0.ownerID == account.id }) { return channel }
        let channel = Channel(id: "UC" + Self.randomID(22), ownerID: account.id, title: account.name,
                              handle: "@" + account.username.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-" }, createdAt: now)
        channels.append(channel)
        return channel
    }

    func channel(id: String) -> Channel? { channels.first { $0.id == id } }

    func openSession(_ session: Session) -> Session {
        var session = session
        session.id = Self.randomID(32)
        sessions[session.id] = session
        return session
    }

    func session(id: String) -> Session? { sessions[id] }

    /// Takes the bytes from `offset` on; a session whose last byte arrived becomes a video.
    func receive(_ bytes: Int, head: [UInt8], at offset: Int, session id: String, now: Date) -> Session? {
        guard var session = sessions[id], session.videoID == nil else { return sessions[id] }
        if offset == 0, session.head.isEmpty { session.head = Array(head.prefix(16)) }
        session.received = max(session.received, min(session.total, offset + bytes))
        if session.received == session.total {
            let video = Video(
                id: Self.randomID(11), channelID: session.channelID, title: session.title, description: session.description, privacy: session.privacy,
                categoryID: session.categoryID, bytes: session.total, uploadStatus: SandboxMediaType.video(session.head) == nil ? "rejected" : "processed",
                publishedAt: now
            )
            videos.append(video)
            session.videoID = video.id
        }
        sessions[id] = session
        return session
    }

    func video(id: String) -> Video? { videos.first { $0.id == id } }

    func deleteVideo(id: String) {
        videos.removeAll { $0.id == id }
        comments.removeAll { $0.videoID == id }
    }

    func setStatistics(id: String, _ statistics: [String: Int]) -> Bool {
        guard let index = videos.firstIndex(where: { $0.id == id }) else { return false }
        videos[index].statistics = statistics
        return true
    }

    func addComment(video: String, channel: String, text: String, now: Date) -> Comment {
        let comment = Comment(id: "Ug" + Self.randomID(24), videoID: video, channelID: channel, text: text, publishedAt: now)
        comments.append(comment)
        return comment
    }

    func comment(id: String) -> Comment? { comments.first { $0.id == id } }

    func deleteComment(id: String) { comments.removeAll { $0.id == id } }

    func reset() {
        channels = []
        sessions = [:]
        videos = []
        comments = []
    }
}
