import Foundation

/// What the emulated TikTok remembers besides its OAuth server: uploads (publish ids with their chunks and
/// status), published videos, and how creators and processing behave (set through the control API).
actor TikTokState {
    struct Publish: Sendable {
        var id: String
        var uploadID: String
        var ownerID: String
        var caption: String
        var privacy: String
        var size: Int
        var chunkSize: Int
        var chunks: Int
        var received = 0
        var head: [UInt8] = []
        var completedAt: Date?
        var videoID: String?
        var failReason: String?
        var createdAt: Date
    }

    struct Video: Sendable {
        var id: String
        var ownerID: String
        var caption: String
        var privacy: String
        var createdAt: Date
        var metrics: [String: Int] = [:]
    }

    /// TikTok's OAuth server: codes live 10 minutes (TikTok says one use, soon), access tokens a day, refresh
    /// tokens a year; the client key and secret go in the form.
    static let oauthPolicy = OAuthServer.Policy(
        displayName: "TikTok", codeLifetime: 600, accessLifetime: 86_400, refreshLifetime: 31_536_000, refreshRotates: true,
        refreshScope: nil, requiresPKCE: false, clientAuthentication: .requestBody, accountIDs: .alphanumeric, tokenType: "Bearer",
        invalidCode: "Authorization code is expired.", invalidRefresh: "Refresh token is invalid or expired.", invalidRefreshError: "invalid_grant"
    )

    private(set) var publishes: [Publish] = []
    private(set) var videos: [Video] = []
    /// The privacy levels creators may post with (an unaudited app's creators: only SELF_ONLY).
    private(set) var privacyOptions = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"]
    private(set) var processingSeconds: TimeInterval = 2
    private var processingFailure: String?
    private var nextVideoID: UInt64 = 7_300_000_000_000_000_000

    func setPrivacyOptions(_ options: [String]) { privacyOptions = options }

    func setProcessing(seconds: TimeInterval, failure: String?) {
        processingSeconds = seconds
        processingFailure = failure
    }

    func open(owner: String, caption: String, privacy: String, size: Int, chunkSize: Int, chunks: Int, now: Date) -> Publish {
        let publish = Publish(id: "v_pub_file~v2-1.\(UInt64.random(in: 7_000_000_000_000_000_000...7_999_999_999_999_999_999))",
                              uploadID: YouTubeState.randomID(24), ownerID: owner, caption: caption, privacy: privacy, size: size,
                              chunkSize: chunkSize, chunks: chunks, createdAt: now)
        publishes.append(publish)
        return publish
    }

    func publish(id: String) -> Publish? { publishes.first { $0.id == id } }
    func publish(uploadID: String) -> Publish? { publishes.first { $0.uploadID == uploadID } }

    /// Takes a chunk that starts where the upload stands; the last one completes the upload.
    func receive(uploadID: String, first: Int, bytes: Int, head: [UInt8], now: Date) -> Publish? {
        guard let index = publishes.firstIndex(where: { $0.uploadID == uploadID }) else { return nil }
        if first == 0 { publishes[index].head = Array(head.prefix(16)) }
        publishes[index].received = first + bytes
        if publishes[index].received == publishes[index].size { publishes[index].completedAt = now }
        return publishes[index]
    }

    /// The publish as its status reads now: processing until the file was handled, then published or failed.
    func settle(id: String, now: Date) -> Publish? {
        guard let index = publishes.firstIndex(where: { $0.id == id }) else { return nil }
        var publish = publishes[index]
        guard let completed = publish.completedAt, publish.videoID == nil, publish.failReason == nil,
              now.timeIntervalSince(completed) >= processingSeconds else { return publish }
        if SandboxMediaType.video(publish.head) == nil {
            publish.failReason = "file_format_check_failed"
        } else if let failure = processingFailure {
            publish.failReason = failure
        } else {
            nextVideoID += UInt64.random(in: 1...9999)
            let video = Video(id: String(nextVideoID), ownerID: publish.ownerID, caption: publish.caption, privacy: publish.privacy, createdAt: now)
            videos.append(video)
            publish.videoID = video.id
        }
        publishes[index] = publish
        return publish
    }

    /// Videos posted today by `owner`, for the daily cap.
    func postsToday(of owner: String, now: Date) -> Int {
        publishes.filter { $0.ownerID == owner && now.timeIntervalSince($0.createdAt) < 86_400 }.count
    }

    func video(id: String) -> Video? { videos.first { $0.id == id } }

    func setMetrics(id: String, _ metrics: [String: Int]) -> Bool {
        guard let index = videos.firstIndex(where: { $0.id == id }) else { return false }
        videos[index].metrics = metrics
        return true
    }

    func reset() {
        publishes = []
        videos = []
        privacyOptions = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"]
        processingSeconds = 2
        processingFailure = nil
    }
}
