import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFileSystem
import NIOFoundationCompat
import NIOHTTP1

/// YouTube channels through the YouTube Data API v3: Google's consent page (OAuth 2.0 with PKCE, offline
/// access so that Google gives a refresh token; access tokens live an hour; the person picks the channel —
/// their own or a brand account's — on Google's account chooser), then `channels?mine=true` names it. Each post
/// is one video, uploaded with Google's resumable protocol: the first step opens an upload session and keeps
/// its URL as the post's container; the next sends the file in chunks of 8 MiB, and a retry or a worker that
/// takes over asks the session how far it got and goes on from there — so a lost answer never uploads the
/// video twice. The post's first line is the video's title (YouTube requires one), the whole text its
/// description. Thread items become comments on the video (`<video id>/<comment id>`).
package struct YouTubeProvider: OAuthProvider {
    package let identifier = "youtube"
    package let displayName = "YouTube"
    package let connectMethod = ConnectMethod.oauth2
    package let requiresInstanceURL = false
    package let supportsIdempotencyKeys = false
    /// Only thread items (comments) can be lost between request and answer; the video's session settles itself.
    package let findsPublishedPosts = true
    /// A description's limit, in bytes of UTF-8.
    package let maximumCharacters = 5000
    package let countingRule: String? = "YouTube counts a description's bytes of UTF-8 (accented letters take two, CJK three, emoji four)"
    package let rateLimitWindow: TimeInterval = 60
    package let scopes = ["https://www.googleapis.com/auth/youtube.upload", "https://www.googleapis.com/auth/youtube.force-ssl",
                          "https://www.googleapis.com/auth/youtube.readonly"]
    package let clientIDSetting = "ARKYRA_YOUTUBE_CLIENT_ID"
    /// Google gives a refresh token only to offline access, and again on every consent only when asked.
    package let extraAuthorizationParameters = [URLQueryItem(name: "access_type", value: "offline"), URLQueryItem(name: "prompt", value: "consent"),
                                                URLQueryItem(name: "include_granted_scopes", value: "true")]
    /// One video per post, up to 256 GB and 12 hours (accounts that have not verified a phone number: 15 minutes).
    package let mediaRules: MediaRules = {
        var rules = MediaRules(maximumItems: 1, kinds: [.video], maximumVideoBytes: 256 * 1024 * 1024 * 1024, maximumVideoDurationMs: 12 * 3_600_000)
        rules.requiresFiles = true
        return rules
    }()
    package let deletesPosts = true
    package let readsMetrics = true
    package let app: PlatformConfiguration.OAuthApp?
    let http: PlatformHTTP
    /// A chunk of a resumable upload: a multiple of 256 KiB, as Google requires of every chunk but the last.
    static let chunkBytes = 8 * 1024 * 1024
    static let maximumTitle = 100
    /// The video's category when nobody chose one: People & Blogs.
    static let defaultCategory = "22"

    package init(http: PlatformHTTP, app: PlatformConfiguration.OAuthApp?) {
        self.http = http
        self.app = app
    }

    package func characterCount(of text: String) -> Int { text.utf8.count }

    /// YouTube refuses `<` and `>` in titles and descriptions.
    package func textProblem(_ text: String) -> String? {
        text.contains("<") || text.contains(">") ? "contains < or >, which YouTube refuses in a video's title and description" : nil
    }

    package func connect(_ request: ConnectRequest) async throws -> ConnectedAccount {
        throw ProviderError.rejected(status: 0, message: "YouTube channels connect through Google's consent page, not with a token")
    }

    // MARK: Connecting

    package func exchange(code: String, verifier: String, redirectURI: String) async throws -> ConnectedAccount {
        let tokens = try await tokenEndpoint().exchange(code: code, verifier: verifier, redirectURI: redirectURI)
        let credentials = ProviderCredentials(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt, instanceURL: nil)
        let response = try await send(.GET, "/youtube/v3/channels?part=snippet&mine=true", token: credentials.accessToken, body: nil, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let list = response.decode(YouTubeList<YouTubeChannel>.self) else {
            throw ProviderError.rejected(status: response.status, message: "the server did not answer like YouTube's API")
        }
        guard let channel = list.items.first else {
            throw ProviderError.rejected(status: 0, message: "this Google account has no YouTube channel; create one on youtube.com, then connect again")
        }
        let handle = channel.snippet.customUrl.map { $0.hasPrefix("@") ? String($0.dropFirst()) : $0 } ?? channel.id
        return ConnectedAccount(
            account: ProviderAccount(id: channel.id, name: channel.snippet.title, username: handle, avatarURL: channel.snippet.thumbnails?.default?.url),
            credentials: credentials
        )
    }

    package func refresh(_ credentials: ProviderCredentials) async throws -> ProviderCredentials {
        try await tokenEndpoint().refreshed(credentials, missing: "Google gave no refresh token; connect the channel again")
    }

    // MARK: Publishing

    package func publishStep(_ post: PublishRequest) async throws -> PublishStep {
        if let replyTo = post.replyTo { return .published(try await comment(post, on: Self.video(of: replyTo))) }
        guard let file = post.media.first else { throw ProviderError.rejected(status: 0, message: "a YouTube post needs a video") }
        guard let session = post.container?.id else {
            return .processing(container: try await openSession(post, file: file), checkAfter: 0)
        }
        switch try await uploadStatus(session, total: file.sizeBytes, token: post.credentials.accessToken) {
        case .done(let video):
            return .published(Self.published(video))
        case .expired:
            // Google keeps a session a week; one that is gone never became a video.
            return .processing(container: try await openSession(post, file: file), checkAfter: 0)
        case .received(let offset):
            return .published(Self.published(try await upload(file, of: post, to: session, from: offset)))
        }
    }

    package func publish(_ post: PublishRequest) async throws -> PublishedPost {
        var request = post
        while true {
            switch try await publishStep(request) {
            case .published(let published): return published
            case .processing(let container, _): request.container = PublishContainer(id: container, since: Date())
            }
        }
    }

    /// `POST /upload/youtube/v3/videos?uploadType=resumable`: the video's metadata; the answer's `Location` is the session.
    private func openSession(_ post: PublishRequest, file: PublishMedia) async throws -> String {
        let metadata: [String: Any] = [
            "snippet": ["title": Self.title(of: post.content), "description": post.content, "categoryId": Self.defaultCategory],
            "status": ["privacyStatus": "public", "selfDeclaredMadeForKids": false, "embeddable": true],
        ]
        var request = HTTPClientRequest(url: try configuredApp().api("/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status"))
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(post.credentials.accessToken)")
        request.headers.add(name: "Content-Type", value: "application/json; charset=UTF-8")
        request.headers.add(name: "X-Upload-Content-Type", value: file.contentType)
        request.headers.add(name: "X-Upload-Content-Length", value: String(file.sizeBytes))
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys])))
        // Opening a session publishes nothing: an unanswered one is opened again.
        let response = try await http.send(request, mutates: false)
        guard response.status == 200, let location = response.headers.first(name: "Location"), !location.isEmpty else {
            if response.status == 200 { throw ProviderError.unavailable(message: "YouTube opened no upload session (no Location)") }
            throw Self.error(for: response, mutates: false)
        }
        return location
    }

    private enum SessionStatus { case done(YouTubeVideo), received(Int), expired }

    /// `PUT <session>` with `Content-Range: bytes */total`: 308 and how much arrived, or the video when it is complete.
    private func uploadStatus(_ session: String, total: Int, token: String) async throws -> SessionStatus {
        let response = try await put(session, range: "bytes */\(total)", body: nil, token: token)
        return try interpret(response)
    }

    private func interpret(_ response: PlatformHTTP.Response) throws -> SessionStatus {
        switch response.status {
        case 200, 201:
            guard let video = response.decode(YouTubeVideo.self) else {
                throw ProviderError.unavailable(message: "YouTube finished the upload but its answer could not be read: \(response.summary)")
            }
            return .done(video)
        case 308:
            // `Range: bytes=0-N` — nothing when no byte arrived yet.
            let range = response.headers.first(name: "Range") ?? ""
            return .received(range.split(separator: "-").last.flatMap { Int($0) }.map { $0 + 1 } ?? 0)
        case 404, 410:
            return .expired
        case 500...599:
            throw ProviderError.unavailable(message: "YouTube's upload answered HTTP \(response.status); resuming later")
        default:
            throw Self.error(for: response, mutates: false)
        }
    }

    /// Sends the file from `offset` in chunks; the chunk that completes it answers the video.
    private func upload(_ file: PublishMedia, of post: PublishRequest, to session: String, from offset: Int) async throws -> YouTubeVideo {
        guard let storage = post.storage else { throw ProviderError.rejected(status: 0, message: "the media storage is not configured") }
        let local = NSTemporaryDirectory() + "arkyra-youtube-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: local) }
        do {
            try await storage.download(key: file.storageKey, to: local)
        } catch StorageError.notFound {
            throw ProviderError.rejected(status: 0, message: "the file \(file.fileName) is no longer in the media library")
        } catch {
            throw ProviderError.unavailable(message: "the media storage: \(error)")
        }
        let total = file.sizeBytes
        return try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(local)) { handle in
            var position = offset
            while true {
                let length = min(Self.chunkBytes, total - position)
                let chunk = try await handle.readChunk(fromAbsoluteOffset: Int64(position), length: .bytes(Int64(length)))
                guard chunk.readableBytes == length else {
                    throw ProviderError.rejected(status: 0, message: "the file \(file.fileName) is shorter than the library says; upload it again")
                }
                let range = length == 0 ? "bytes */\(total)" : "bytes \(position)-\(position + length - 1)/\(total)"
                let response = try await put(session, range: range, body: chunk, token: post.credentials.accessToken)
                switch try interpret(response) {
                case .done(let video): return video
                case .received(let received) where received > position: position = received
                case .received: throw ProviderError.unavailable(message: "YouTube kept none of a chunk; resuming later")
                case .expired: throw ProviderError.unavailable(message: "YouTube's upload session ended; opening another")
                }
            }
        }
    }

    /// A chunk, or a status question; safe to repeat (the session answers what it has), so never "mutating".
    private func put(_ session: String, range: String, body: ByteBuffer?, token: String) async throws -> PlatformHTTP.Response {
        var request = HTTPClientRequest(url: session)
        request.method = .PUT
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Range", value: range)
        request.headers.add(name: "Content-Length", value: String(body?.readableBytes ?? 0))
        if let body { request.body = .bytes(body) }
        return try await http.send(request, mutates: false)
    }

    /// `POST /youtube/v3/commentThreads`: a top-level comment on the video.
    private func comment(_ post: PublishRequest, on video: String) async throws -> PublishedPost {
        let body: [String: Any] = ["snippet": ["videoId": video, "topLevelComment": ["snippet": ["textOriginal": post.content]]]]
        let response = try await send(.POST, "/youtube/v3/commentThreads?part=snippet", token: post.credentials.accessToken,
                                      body: try JSONSerialization.data(withJSONObject: body), mutates: true)
        guard response.status == 200 else { throw Self.error(for: response, mutates: true) }
        guard let thread = response.decode(YouTubeCommentThread.self) else {
            throw ProviderError.outcomeUnknown(message: "YouTube accepted the comment but its answer could not be read: \(response.summary)")
        }
        return PublishedPost(platformID: "\(video)/\(thread.id)", url: "https://www.youtube.com/watch?v=\(video)&lc=\(thread.id)")
    }

    static func published(_ video: YouTubeVideo) -> PublishedPost {
        PublishedPost(platformID: video.id, url: "https://www.youtube.com/watch?v=\(video.id)")
    }

    /// The video a thread item comments on: the item before it, or the video that item commented on.
    static func video(of platformID: String) -> String {
        String(platformID.split(separator: "/").first ?? Substring(platformID))
    }

    /// The first line, cut to YouTube's 100 characters (a title cannot be empty: "Video" stands in).
    static func title(of text: String) -> String {
        let line = text.split(separator: "\n", omittingEmptySubsequences: true).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return line.isEmpty ? "Video" : String(line.prefix(maximumTitle))
    }

    /// A thread item whose answer was lost: the video's comments, matched by text and author. (The video
    /// itself is settled by its upload session.)
    package func findPublished(_ post: PublishRequest) async throws -> PublishedPost? {
        guard let replyTo = post.replyTo else { return nil }
        let video = Self.video(of: replyTo)
        let response = try await send(.GET, "/youtube/v3/commentThreads?part=snippet&maxResults=100&order=time&videoId=\(video)",
                                      token: post.credentials.accessToken, body: nil, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        let threads = response.decode(YouTubeList<YouTubeCommentThread>.self)?.items ?? []
        return threads.first {
            let comment = $0.snippet?.topLevelComment?.snippet
            return comment?.textOriginal == post.content && (comment?.authorChannelId?.value == post.accountID || post.accountID == nil)
        }.map { PublishedPost(platformID: "\(video)/\($0.id)", url: "https://www.youtube.com/watch?v=\(video)&lc=\($0.id)") }
    }

    /// `DELETE /youtube/v3/videos?id=` (or `comments?id=` for a thread item); one already gone counts as deleted.
    package func delete(_ post: DeleteRequest) async throws {
        let parts = post.platformID.split(separator: "/")
        let path = parts.count == 2 ? "/youtube/v3/comments?id=\(parts[1])" : "/youtube/v3/videos?id=\(post.platformID)"
        let response = try await send(.DELETE, path, token: post.credentials.accessToken, body: nil, mutates: false)
        guard response.status == 204 || response.status == 200 || response.status == 404 else { throw Self.error(for: response, mutates: false) }
    }

    /// `GET /youtube/v3/videos?part=statistics`: views, likes and comments (YouTube sends the counts as strings).
    package func metrics(_ post: MetricsRequest) async throws -> PostMetrics {
        let video = Self.video(of: post.platformID)
        let response = try await send(.GET, "/youtube/v3/videos?part=statistics&id=\(video)", token: post.credentials.accessToken, body: nil, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let found = response.decode(YouTubeList<YouTubeVideo>.self)?.items.first else {
            throw ProviderError.rejected(status: 404, message: "the video is no longer on YouTube")
        }
        var counts: [String: Int] = [:]
        for (theirs, ours) in [("viewCount", "views"), ("likeCount", "likes"), ("commentCount", "replies"), ("favoriteCount", "saves")] {
            if let value = found.statistics?[theirs].flatMap({ Int($0) }) { counts[ours] = value }
        }
        return PostMetrics(counts: counts)
    }

    // MARK: Plumbing

    private func tokenEndpoint() throws -> OAuth2TokenEndpoint {
        let app = try configuredApp()
        return OAuth2TokenEndpoint(http: http, url: app.tokenURL?.absoluteString ?? app.api("/token"), app: app, clientAuthentication: .requestBody)
    }

    private func configuredApp() throws -> PlatformConfiguration.OAuthApp {
        guard let app else {
            throw ProviderError.rejected(status: 0, message: "this installation has no Google app for YouTube; an administrator sets \(clientIDSetting)")
        }
        return app
    }

    private func send(_ method: HTTPMethod, _ path: String, token: String, body: Data?, mutates: Bool) async throws -> PlatformHTTP.Response {
        try await http.sendJSON(method, try configuredApp().api(path), bearer: token, body: body, mutates: mutates)
    }

    /// Google's errors are `{error: {code, message, errors: [{domain, reason}], status}}`: 401 for a token that
    /// expired or was revoked; 403 `quotaExceeded` when the project's daily quota is spent (it comes back at
    /// midnight Pacific time), `rateLimitExceeded` / `userRateLimitExceeded` (and 429) for bursts, other 403s
    /// (`forbidden`, `insufficientPermissions`) for what the channel may not do; 400 for refused metadata.
    static func error(for response: PlatformHTTP.Response, mutates: Bool, now: Date = Date()) -> ProviderError {
        let problem = response.decode(GoogleErrorBody.self)?.error
        let reason = problem?.errors?.first?.reason
        let message = problem.map { "\($0.message)\(reason.map { " (\($0))" } ?? "")" } ?? response.summary
        switch (response.status, reason) {
        case (401, _):
            return .tokenExpired(message: message)
        case (403, "quotaExceeded"), (403, "dailyLimitExceeded"):
            return .rateLimited(retryAt: nextPacificMidnight(after: now), message: "YouTube's daily quota for this installation is spent: \(message)")
        case (403, "rateLimitExceeded"), (403, "userRateLimitExceeded"), (429, _):
            return .rateLimited(retryAt: ProviderError.retryTime(retryAfter: response.headers.first(name: "Retry-After")), message: message)
        case (403, "uploadLimitExceeded"):
            return .rateLimited(retryAt: now.addingTimeInterval(86_400), message: "the channel uploaded as many videos as YouTube allows in a day: \(message)")
        case (403, "insufficientPermissions"), (403, "youtubeSignupRequired"):
            return .invalidCredentials(message: "YouTube refused (\(message)); connect the channel again granting uploads")
        case (403, _):
            return .rejected(status: 403, message: message)
        default:
            return ProviderError.classify(status: response.status, message: message, mutates: mutates,
                                          retryAt: ProviderError.retryTime(retryAfter: response.headers.first(name: "Retry-After")))
        }
    }

    /// When YouTube's daily quotas come back: the next midnight in America/Los_Angeles.
    static func nextPacificMidnight(after date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/Los_Angeles") ?? .gmt
        let start = calendar.startOfDay(for: date)
        return calendar.date(byAdding: .day, value: 1, to: start) ?? date.addingTimeInterval(86_400)
    }
}

struct YouTubeList<Item: Decodable>: Decodable {
    var items: [Item]
}

struct YouTubeChannel: Decodable {
    var id: String
    var snippet: Snippet

    struct Snippet: Decodable {
        var title: String
        var customUrl: String?
        var thumbnails: Thumbnails?
    }

    struct Thumbnails: Decodable {
        var `default`: Thumbnail?
    }

    struct Thumbnail: Decodable {
        var url: String
    }
}

struct YouTubeVideo: Decodable {
    var id: String
    var statistics: [String: String]?
}

struct YouTubeCommentThread: Decodable {
    var id: String
    var snippet: Snippet?

    struct Snippet: Decodable {
        var topLevelComment: Comment?
    }

    struct Comment: Decodable {
        var id: String?
        var snippet: CommentSnippet?
    }

    struct CommentSnippet: Decodable {
        var textOriginal: String?
        var authorChannelId: ChannelID?
    }

    struct ChannelID: Decodable {
        var value: String
    }
}

struct GoogleErrorBody: Decodable {
    var error: Problem

    struct Problem: Decodable {
        var code: Int?
        var message: String
        var errors: [Reason]?
        var status: String?
    }

    struct Reason: Decodable {
        var reason: String?
        var domain: String?
    }
}
