import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFileSystem
import NIOFoundationCompat
import NIOHTTP1

/// TikTok accounts through Login Kit and the Content Posting API (Direct Post): TikTok's consent page names
/// the app by its `client_key`; the code is traded with the client secret for a token of a day and a refresh
/// token of a year. Each post is one video: the first step asks what the creator may post
/// (`creator_info/query`: privacy levels, longest video), opens an upload (`video/init`), sends the file in
/// chunks and keeps the `publish_id` as the post's container; later steps read its status until TikTok has
/// published it (or says why not). TikTok's API has no comments, no deletion and no lookup of a post that was
/// never answered; counts come from `video/query` once the video is public.
package struct TikTokProvider: OAuthProvider {
    package let identifier = "tiktok"
    package let displayName = "TikTok"
    package let connectMethod = ConnectMethod.oauth2
    package let requiresInstanceURL = false
    package let supportsIdempotencyKeys = false
    package let findsPublishedPosts = false
    /// A video's caption, counted in UTF-16 code units as TikTok counts it.
    package let maximumCharacters = 2200
    package let countingRule: String? = "TikTok counts a caption in UTF-16 code units (most emoji take two)"
    package let rateLimitWindow: TimeInterval = 60
    package let scopes = ["user.info.basic", "video.publish", "video.upload", "video.list"]
    package let scopeSeparator = ","
    package let clientIDParameter = "client_key"
    package let clientIDSetting = "ARKYRA_TIKTOK_CLIENT_ID"
    package let usesPKCE = false
    package let takesThreads = false
    /// One video (MP4, MOV or WebM) up to 4 GB and 10 minutes (the creator's own limit is checked when publishing).
    package let mediaRules: MediaRules = {
        var rules = MediaRules(maximumItems: 1, kinds: [.video], maximumVideoBytes: 4 * 1024 * 1024 * 1024, maximumVideoDurationMs: 600_000)
        rules.requiresFiles = true
        return rules
    }()
    package let readsMetrics = true
    package let app: PlatformConfiguration.OAuthApp?
    let http: PlatformHTTP
    /// TikTok takes chunks of 5 to 64 MB (the last may be up to 128 MB); a video under 5 MB goes whole.
    static let chunkBytes = 10 * 1024 * 1024
    static let minimumChunk = 5 * 1024 * 1024
    static let videoTypes: Set<String> = ["video/mp4", "video/quicktime", "video/webm"]

    package init(http: PlatformHTTP, app: PlatformConfiguration.OAuthApp?) {
        self.http = http
        self.app = app
    }

    package func characterCount(of text: String) -> Int { text.utf16.count }

    package func connect(_ request: ConnectRequest) async throws -> ConnectedAccount {
        throw ProviderError.rejected(status: 0, message: "TikTok accounts connect through TikTok's consent page, not with a token")
    }

    // MARK: Connecting

    package func exchange(code: String, verifier: String, redirectURI: String) async throws -> ConnectedAccount {
        let credentials = try await token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI)], refreshing: false)
        let response = try await send(.GET, "/v2/user/info/?fields=open_id,union_id,avatar_url,display_name,username", token: credentials.accessToken, body: nil)
        guard response.status == 200, let user = response.decode(TikTokAnswer<TikTokUserData>.self)?.data?.user else {
            throw Self.error(for: response, mutates: false)
        }
        return ConnectedAccount(
            account: ProviderAccount(id: user.openID, name: user.displayName ?? user.username ?? user.openID, username: user.username ?? user.openID,
                                     avatarURL: user.avatarURL),
            credentials: credentials
        )
    }

    /// TikTok may replace the refresh token on a refresh; the old one is kept when it does not.
    package func refresh(_ credentials: ProviderCredentials) async throws -> ProviderCredentials {
        guard let refreshToken = credentials.refreshToken else {
            throw ProviderError.invalidCredentials(message: "TikTok gave no refresh token; connect the account again")
        }
        var renewed = try await token([("grant_type", "refresh_token"), ("refresh_token", refreshToken)], refreshing: true)
        if renewed.refreshToken == nil { renewed.refreshToken = refreshToken }
        return renewed
    }

    /// `POST /v2/oauth/token/` with the app's `client_key` and `client_secret` in the form.
    private func token(_ fields: [(String, String)], refreshing: Bool) async throws -> ProviderCredentials {
        let app = try configuredApp()
        var request = HTTPClientRequest(url: app.api("/v2/oauth/token/"))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Cache-Control", value: "no-cache")
        request.body = .bytes(ByteBuffer(string: GraphAPI.form([("client_key", app.clientID), ("client_secret", app.clientSecret ?? "")] + fields)))
        let response = try await http.send(request, mutates: false)
        if response.status == 200, let tokens = response.decode(TikTokTokens.self) {
            return ProviderCredentials(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken,
                                       expiresAt: tokens.expiresIn.map { Date().addingTimeInterval(TimeInterval($0)) }, instanceURL: nil)
        }
        // TikTok's OAuth errors are `{error, error_description, log_id}`.
        let problem = response.decode(OAuth2Error.self)
        let message = problem.map { [$0.error, $0.errorDescription].compactMap { $0 }.joined(separator: ": ") } ?? response.summary
        switch (response.status, problem?.error) {
        case (_, "invalid_client"):
            throw ProviderError.rejected(status: response.status, message: "TikTok refused ARKYRA's app credentials (\(message)); check the client key and secret")
        case (_, "invalid_grant") where refreshing:
            throw ProviderError.invalidCredentials(message: "TikTok refused the refresh token (\(message))")
        case (429, _):
            throw ProviderError.rateLimited(retryAt: Date().addingTimeInterval(rateLimitWindow), message: message)
        case (500...599, _):
            throw ProviderError.unavailable(message: message)
        default:
            throw ProviderError.rejected(status: response.status, message: message)
        }
    }

    // MARK: Publishing

    package func publish(_ post: PublishRequest) async throws -> PublishedPost {
        throw ProviderError.rejected(status: 0, message: "TikTok publishes in steps; the worker calls publishStep")
    }

    package func publishStep(_ post: PublishRequest) async throws -> PublishStep {
        guard let container = post.container.map({ TikTokContainer($0.id) }) else { return try await start(post) }
        let response = try await send(.POST, "/v2/post/publish/status/fetch/", token: post.credentials.accessToken,
                                      body: try JSONSerialization.data(withJSONObject: ["publish_id": container.publishID]))
        guard response.status == 200, let status = response.decode(TikTokAnswer<TikTokStatus>.self)?.data else {
            throw Self.error(for: response, mutates: false)
        }
        switch status.status {
        case "PUBLISH_COMPLETE", "SEND_TO_USER_INBOX":
            // A video visible only to its author has no public id: the publish id stands for it.
            guard let id = status.publicalyAvailablePostID?.first.map(String.init) else {
                return .published(PublishedPost(platformID: container.publishID, url: nil))
            }
            return .published(PublishedPost(platformID: id, url: "https://www.tiktok.com/@\(container.username)/video/\(id)"))
        case "FAILED":
            throw ProviderError.rejected(status: 0, message: "TikTok did not publish the video: \(Self.words(forFailure: status.failReason ?? "unknown"))")
        case "PROCESSING_UPLOAD" where (status.uploadedBytes ?? 0) < container.size:
            // The answer to the last chunk was lost and not all of it arrived: this upload never becomes a
            // post, so a new one starts.
            return try await start(post)
        default:
            return .processing(container: container.id, checkAfter: 5)
        }
    }

    /// Asks what the creator may post, opens an upload, sends the video and answers its publish id.
    private func start(_ post: PublishRequest) async throws -> PublishStep {
        guard let file = post.media.first else { throw ProviderError.rejected(status: 0, message: "a TikTok post needs a video") }
        guard let stored = file.stored(as: Self.videoTypes) else {
            throw ProviderError.rejected(status: 0, message: "TikTok takes MP4, MOV or WebM videos; \(file.fileName) has no such copy yet (is its processing finished?)")
        }
        let token = post.credentials.accessToken
        let info = try await send(.POST, "/v2/post/publish/creator_info/query/", token: token, body: Data())
        guard info.status == 200, let creator = info.decode(TikTokAnswer<TikTokCreator>.self)?.data else { throw Self.error(for: info, mutates: false) }
        let privacy = creator.privacyLevelOptions.contains("PUBLIC_TO_EVERYONE") ? "PUBLIC_TO_EVERYONE" : creator.privacyLevelOptions.first ?? "SELF_ONLY"
        let size = file.derived.isEmpty || stored.storageKey == file.storageKey ? file.sizeBytes : try await storedSize(stored.storageKey, post)
        let chunk = size < Self.minimumChunk ? size : Self.chunkBytes
        let chunks = max(1, size / chunk)
        let initBody: [String: Any] = [
            "post_info": ["title": post.content, "privacy_level": privacy, "disable_duet": creator.duetDisabled ?? false,
                          "disable_comment": creator.commentDisabled ?? false, "disable_stitch": creator.stitchDisabled ?? false,
                          "video_cover_timestamp_ms": 1000],
            "source_info": ["source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk, "total_chunk_count": chunks],
        ]
        let opened = try await send(.POST, "/v2/post/publish/video/init/", token: token, body: try JSONSerialization.data(withJSONObject: initBody))
        guard opened.status == 200, let upload = opened.decode(TikTokAnswer<TikTokUpload>.self)?.data else { throw Self.error(for: opened, mutates: false) }
        let container = TikTokContainer(publishID: upload.publishID, size: size, username: creator.creatorUsername ?? post.accountID ?? "")
        try await send(stored.storageKey, contentType: stored.contentType, size: size, chunk: chunk, chunks: chunks, to: upload.uploadURL, of: post)
        return .processing(container: container.id, checkAfter: 5)
    }

    private func storedSize(_ key: String, _ post: PublishRequest) async throws -> Int {
        guard let size = try await post.storage?.size(of: key) else { throw ProviderError.rejected(status: 0, message: "the converted video is missing from the media storage") }
        return size
    }

    /// `PUT <upload_url>` chunk by chunk (`Content-Range`); TikTok answers 206 until the last, then 201. A
    /// failure before the last chunk leaves an upload that never becomes a post (the next attempt starts
    /// another); one on the last is settled by the status.
    private func send(_ key: String, contentType: String, size: Int, chunk: Int, chunks: Int, to url: String, of post: PublishRequest) async throws {
        guard let storage = post.storage else { throw ProviderError.rejected(status: 0, message: "the media storage is not configured") }
        let local = NSTemporaryDirectory() + "arkyra-tiktok-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: local) }
        do {
            try await storage.download(key: key, to: local)
        } catch StorageError.notFound {
            throw ProviderError.rejected(status: 0, message: "the video is no longer in the media library")
        } catch {
            throw ProviderError.unavailable(message: "the media storage: \(error)")
        }
        try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(local)) { handle in
            for index in 0..<chunks {
                let first = index * chunk
                let last = index == chunks - 1 ? size - 1 : first + chunk - 1
                let bytes = try await handle.readChunk(fromAbsoluteOffset: Int64(first), length: .bytes(Int64(last - first + 1)))
                var request = HTTPClientRequest(url: url)
                request.method = .PUT
                request.headers.add(name: "Content-Type", value: contentType)
                request.headers.add(name: "Content-Length", value: String(bytes.readableBytes))
                request.headers.add(name: "Content-Range", value: "bytes \(first)-\(last)/\(size)")
                request.body = .bytes(bytes)
                let response: PlatformHTTP.Response
                do {
                    response = try await http.send(request, mutates: false)
                } catch ProviderError.unavailable where index == chunks - 1 {
                    return
                }
                guard response.status == 201 || response.status == 206 || response.status == 200 else {
                    throw response.status >= 500 ? ProviderError.unavailable(message: "TikTok's upload answered HTTP \(response.status)") : Self.error(for: response, mutates: false)
                }
            }
        }
    }

    /// `POST /v2/video/query/`: views, likes, comments and shares of a public video.
    package func metrics(_ post: MetricsRequest) async throws -> PostMetrics {
        guard Int64(post.platformID) != nil else {
            throw ProviderError.rejected(status: 0, message: "TikTok gives counts only of public videos; this one is visible to its author alone")
        }
        let body = try JSONSerialization.data(withJSONObject: ["filters": ["video_ids": [post.platformID]]])
        let response = try await send(.POST, "/v2/video/query/?fields=id,view_count,like_count,comment_count,share_count", token: post.credentials.accessToken, body: body)
        guard response.status == 200, let videos = response.decode(TikTokAnswer<TikTokVideos>.self)?.data?.videos else { throw Self.error(for: response, mutates: false) }
        guard let video = videos.first(where: { $0.id == post.platformID }) else { throw ProviderError.rejected(status: 404, message: "the video is no longer on TikTok") }
        var counts: [String: Int] = [:]
        counts["views"] = video.viewCount
        counts["likes"] = video.likeCount
        counts["replies"] = video.commentCount
        counts["shares"] = video.shareCount
        return PostMetrics(counts: counts)
    }

    /// A status's `fail_reason` in words.
    static func words(forFailure reason: String) -> String {
        switch reason {
        case "file_format_check_failed": "the file is not a video TikTok can read (MP4, MOV or WebM with H.264, H.265 or VP8/VP9)"
        case "duration_check_failed": "the video is longer than the creator may post, or shorter than 3 seconds"
        case "frame_rate_check_failed": "the frame rate must be between 23 and 60 frames a second"
        case "picture_size_check_failed": "the picture must be between 360 and 4096 pixels on each side"
        case "video_pull_failed", "internal": "TikTok failed while processing it; schedule it again"
        case "spam_risk_too_many_posts": "the account posted as many videos as TikTok allows in a day"
        case "spam_risk_user_banned_from_posting": "TikTok does not let this account post right now"
        case "publish_cancelled": "the upload was cancelled"
        case "auth_removed": "the account removed ARKYRA's access; connect it again"
        default: reason
        }
    }

    // MARK: Plumbing

    private func configuredApp() throws -> PlatformConfiguration.OAuthApp {
        guard let app else {
            throw ProviderError.rejected(status: 0, message: "this installation has no TikTok app; an administrator sets \(clientIDSetting)")
        }
        return app
    }

    private func send(_ method: HTTPMethod, _ path: String, token: String, body: Data?) async throws -> PlatformHTTP.Response {
        var request = HTTPClientRequest(url: try configuredApp().api(path))
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json; charset=UTF-8")
            request.body = .bytes(ByteBuffer(data: body))
        }
        // No call here publishes by itself: the upload's last chunk does, and its loss is settled by the status.
        return try await http.send(request, mutates: false)
    }

    /// TikTok's answers are `{data, error: {code, message, log_id}}` with `code` "ok" on success:
    /// `access_token_invalid` (401) for a token that expired or was revoked, `scope_not_authorized` for a
    /// permission the person did not grant, `rate_limit_exceeded` (429; limits are per minute),
    /// `spam_risk_too_many_posts` for the daily cap, and the `invalid_params` family for refused posts.
    static func error(for response: PlatformHTTP.Response, mutates: Bool, now: Date = Date()) -> ProviderError {
        let problem = response.decode(TikTokAnswer<TikTokEmpty>.self)?.error
        let code = problem?.code ?? ""
        let message = problem.map { "\($0.message.isEmpty ? $0.code : $0.message) (\($0.code))" } ?? response.summary
        switch code {
        case "access_token_invalid": return .tokenExpired(message: message)
        case "scope_not_authorized", "scope_permission_missed":
            return .invalidCredentials(message: "TikTok refused (\(message)); connect the account again granting video posting")
        case "rate_limit_exceeded": return .rateLimited(retryAt: now.addingTimeInterval(60), message: message)
        case "spam_risk_too_many_posts", "spam_risk_too_many_pending_share":
            return .rateLimited(retryAt: now.addingTimeInterval(86_400), message: "the account posted as many videos as TikTok allows in a day: \(message)")
        case "unaudited_client_can_only_post_to_private_accounts":
            return .rejected(status: response.status, message: "TikTok has not audited this installation's app yet, so it can only post to private accounts (\(message))")
        case "privacy_level_option_mismatch", "invalid_params", "spam_risk_user_banned_from_posting", "reached_active_user_cap", "duration_check_failed":
            return .rejected(status: response.status, message: message)
        case "ok" where response.status == 200:
            return .unavailable(message: "the server did not answer like TikTok's API: \(response.summary)")
        default:
            if response.status == 200 { return .unavailable(message: "the server did not answer like TikTok's API: \(response.summary)") }
            return ProviderError.classify(status: response.status, message: message, mutates: mutates, retryAt: now.addingTimeInterval(60))
        }
    }
}

/// The post's container: the publish id, the video's size (to tell an upload cut short) and the creator's
/// username (for the video's URL), as `publish_id size username`.
struct TikTokContainer {
    var publishID: String
    var size: Int
    var username: String

    init(publishID: String, size: Int, username: String) {
        self.publishID = publishID
        self.size = size
        self.username = username
    }

    init(_ text: String) {
        let parts = text.split(separator: " ", maxSplits: 2).map(String.init)
        publishID = parts.first ?? text
        size = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        username = parts.count > 2 ? parts[2] : ""
    }

    var id: String { "\(publishID) \(size) \(username)" }
}

struct TikTokTokens: Decodable {
    var accessToken: String
    var refreshToken: String?
    var expiresIn: Int?
    var openID: String?

    enum CodingKeys: String, CodingKey { case accessToken = "access_token", refreshToken = "refresh_token", expiresIn = "expires_in", openID = "open_id" }
}

struct TikTokAnswer<Payload: Decodable>: Decodable {
    var data: Payload?
    var error: Problem?

    struct Problem: Decodable {
        var code: String
        var message: String
    }
}

struct TikTokEmpty: Decodable {}

struct TikTokUserData: Decodable {
    var user: User

    struct User: Decodable {
        var openID: String
        var displayName: String?
        var username: String?
        var avatarURL: String?

        enum CodingKeys: String, CodingKey { case openID = "open_id", displayName = "display_name", username, avatarURL = "avatar_url" }
    }
}

struct TikTokCreator: Decodable {
    var creatorUsername: String?
    var privacyLevelOptions: [String]
    var commentDisabled: Bool?
    var duetDisabled: Bool?
    var stitchDisabled: Bool?

    enum CodingKeys: String, CodingKey {
        case creatorUsername = "creator_username", privacyLevelOptions = "privacy_level_options", commentDisabled = "comment_disabled",
             duetDisabled = "duet_disabled", stitchDisabled = "stitch_disabled"
    }
}

struct TikTokUpload: Decodable {
    var publishID: String
    var uploadURL: String

    enum CodingKeys: String, CodingKey { case publishID = "publish_id", uploadURL = "upload_url" }
}

struct TikTokStatus: Decodable {
    var status: String
    var failReason: String?
    var publicalyAvailablePostID: [Int64]?
    var uploadedBytes: Int?

    enum CodingKeys: String, CodingKey {
        case status, failReason = "fail_reason", publicalyAvailablePostID = "publicaly_available_post_id", uploadedBytes = "uploaded_bytes"
    }
}

struct TikTokVideos: Decodable {
    var videos: [Video]

    struct Video: Decodable {
        var id: String
        var viewCount: Int?
        var likeCount: Int?
        var commentCount: Int?
        var shareCount: Int?

        enum CodingKeys: String, CodingKey { case id, viewCount = "view_count", likeCount = "like_count", commentCount = "comment_count", shareCount = "share_count" }
    }
}
