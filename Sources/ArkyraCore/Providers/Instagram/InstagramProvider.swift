import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Instagram professional accounts through the Instagram API with Instagram Login: Meta's consent page on
/// instagram.com (no PKCE; the code is traded with the app secret for a token of an hour, then for a
/// long-lived one of 60 days that renews itself with `ig_refresh_token` once a day old). Every post carries
/// files, which Instagram fetches from a public URL — images as JPEG (processing's JPEG beside any other
/// image), a video on its own as a Reel, several files as a carousel — through containers checked by later
/// queue jobs (``GraphContainers``). Thread items become comments on the first post (a comment's platform id
/// is `<media id>/<comment id>`). Instagram's API cannot delete posts, only comments.
package struct InstagramProvider: OAuthProvider, GraphContainers {
    package let identifier = "instagram"
    package let displayName = "Instagram"
    package let connectMethod = ConnectMethod.oauth2
    package let requiresInstanceURL = false
    package let supportsIdempotencyKeys = false
    package let findsPublishedPosts = true
    /// A caption's limit.
    package let maximumCharacters = 2200
    package let rateLimitWindow: TimeInterval = 3600
    package let scopes = ["instagram_business_basic", "instagram_business_content_publish", "instagram_business_manage_comments"]
    package let scopeSeparator = ","
    /// `ARKYRA_INSTAGRAM_CLIENT_ID`; `ARKYRA_FACEBOOK_CLIENT_ID` when it publishes for ``InstagramFacebookProvider``.
    package let clientIDSetting: String
    package let usesPKCE = false
    /// JPEG images up to 8 MB, videos up to 300 MB and 15 minutes (Reels), up to 10 in a carousel; a post
    /// needs one at least.
    package let mediaRules: MediaRules = {
        var rules = MediaRules(maximumItems: 10, kinds: [.image, .video], maximumImageBytes: 8 * 1024 * 1024, maximumVideoBytes: 300 * 1024 * 1024,
                               maximumVideoDurationMs: 900_000, mixesKinds: true)
        rules.requiresFiles = true
        return rules
    }()
    /// Long-lived tokens are renewed a week before their 60 days run out.
    package let tokenRefreshMargin: TimeInterval = 7 * 86_400
    package let app: PlatformConfiguration.OAuthApp?
    let http: PlatformHTTP
    package static let version = "v23.0"
    static let mediaURLLifetime: Duration = .seconds(86_400)
    /// Instagram takes at most 30 hashtags in a caption.
    static let maximumHashtags = 30

    let dialect = GraphDialect(platform: "Instagram", create: "media", publish: "media_publish", textField: "caption", statusField: "status_code",
                               videoType: "REELS", textType: nil, replyField: nil)

    /// - Parameter clientIDSetting: the setting that names `app`, for messages to administrators.
    package init(http: PlatformHTTP, app: PlatformConfiguration.OAuthApp?, clientIDSetting: String = "ARKYRA_INSTAGRAM_CLIENT_ID") {
        self.http = http
        self.app = app
        self.clientIDSetting = clientIDSetting
    }

    package func characterCount(of text: String) -> Int { text.count }

    package func textProblem(_ text: String) -> String? {
        let hashtags = text.split(whereSeparator: \.isWhitespace).filter { $0.hasPrefix("#") && $0.count > 1 }.count
        return hashtags > Self.maximumHashtags ? "has \(hashtags) hashtags; Instagram takes at most \(Self.maximumHashtags) in a caption" : nil
    }

    package func connect(_ request: ConnectRequest) async throws -> ConnectedAccount {
        throw ProviderError.rejected(status: 0, message: "Instagram accounts connect through Instagram's consent page, not with a token")
    }

    // MARK: Connecting

    package func exchange(code: String, verifier: String, redirectURI: String) async throws -> ConnectedAccount {
        let app = try configuredApp()
        let tokenURL = app.tokenURL?.absoluteString ?? app.api("/oauth/access_token")
        var request = HTTPClientRequest(url: tokenURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: GraphAPI.form([
            ("client_id", app.clientID), ("client_secret", app.clientSecret ?? ""), ("grant_type", "authorization_code"),
            ("redirect_uri", redirectURI), ("code", code),
        ])))
        let response = try await http.send(request, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        // Instagram Login answers `{data: [{access_token, user_id, permissions}]}` (older apps got the token at the top).
        guard let short = response.decode(InstagramCodeAnswer.self)?.data.first ?? response.decode(GraphToken.self).map({ InstagramCodeAnswer.Token(accessToken: $0.accessToken) }) else {
            throw ProviderError.rejected(status: response.status, message: "the server did not answer like Instagram's API")
        }
        let credentials = try await GraphAPI.selfRenewing(
            http: http, url: app.api("/access_token"), [("grant_type", "ig_exchange_token"), ("client_secret", app.clientSecret ?? ""), ("access_token", short.accessToken)],
            platform: displayName
        )
        let profile = try await graph(.GET, "/me", [("fields", "user_id,username,name,profile_picture_url,account_type")], token: credentials.accessToken, mutates: false)
        guard profile.status == 200 else { throw Self.error(for: profile, mutates: false) }
        guard let account = profile.decode(InstagramProfile.self) else {
            throw ProviderError.rejected(status: profile.status, message: "the server did not answer like Instagram's API")
        }
        return ConnectedAccount(
            account: ProviderAccount(id: account.userID ?? account.id, name: account.name ?? account.username, username: account.username, avatarURL: account.profilePictureURL),
            credentials: credentials
        )
    }

    package func refresh(_ credentials: ProviderCredentials) async throws -> ProviderCredentials {
        try await GraphAPI.renew(credentials, http: http, url: try configuredApp().api("/refresh_access_token"), grant: "ig_refresh_token", platform: displayName)
    }

    // MARK: Publishing

    package func publishStep(_ post: PublishRequest) async throws -> PublishStep {
        guard let user = post.accountID else {
            throw ProviderError.rejected(status: 0, message: "the channel has no Instagram user id; connect the account again")
        }
        guard let replyTo = post.replyTo else { return try await containerStep(post, user: user) }
        let media = Self.commentedPost(replyTo)
        let response = try await graph(.POST, "/\(media)/comments", [("message", post.content)], token: post.credentials.accessToken, mutates: true)
        guard response.status == 200 else { throw Self.error(for: response, mutates: true) }
        guard let created = response.decode(GraphID.self) else {
            throw ProviderError.outcomeUnknown(message: "Instagram accepted the comment but its answer could not be read: \(response.summary)")
        }
        return .published(PublishedPost(platformID: "\(media)/\(created.id)", url: try? await permalink(of: media, token: post.credentials.accessToken)))
    }

    /// Instagram fetches a JPEG (processing made one beside any other image) or an MP4.
    func mediaURL(of file: PublishMedia, in post: PublishRequest) throws -> String {
        guard let storage = post.storage else { throw ProviderError.rejected(status: 0, message: "the media storage is not configured") }
        let types: Set<String> = file.kind == .video ? ["video/mp4"] : ["image/jpeg"]
        guard let stored = file.stored(as: types) else {
            throw ProviderError.rejected(status: 0, message: "Instagram takes \(file.kind == .video ? "MP4 videos" : "JPEG images"); \(file.fileName) has no such copy yet (is its processing finished?)")
        }
        return storage.readURL(key: stored.storageKey, lifetime: Self.mediaURLLifetime)
    }

    /// The post a thread item comments on: the item before it, or the post that item commented on.
    static func commentedPost(_ replyTo: String) -> String {
        String(replyTo.split(separator: "/").first ?? Substring(replyTo))
    }

    /// The account's media (or the first post's comments, for a thread item) since the post was due, matched by text.
    package func findPublished(_ post: PublishRequest) async throws -> PublishedPost? {
        let token = post.credentials.accessToken
        if let replyTo = post.replyTo {
            let media = Self.commentedPost(replyTo)
            let response = try await graph(.GET, "/\(media)/comments", [("fields", "id,text,timestamp,from")], token: token, mutates: false)
            guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
            let comments = response.decode(InstagramComments.self)?.data ?? []
            return comments.first { $0.text == post.content && ($0.from?.id == post.accountID || $0.from == nil) }
                .map { PublishedPost(platformID: "\(media)/\($0.id)", url: nil) }
        }
        let since = String(Int(post.createdAt.timeIntervalSince1970) - 60)
        let response = try await graph(.GET, "/\(post.accountID ?? "me")/media", [("fields", "id,caption,timestamp,permalink"), ("since", since), ("limit", "100")], token: token, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let page = response.decode(GraphPage.self) else {
            throw ProviderError.unavailable(message: "the server did not answer like Instagram's API: \(response.summary)")
        }
        return page.data.first { ($0.caption ?? "") == post.content }.map { PublishedPost(platformID: $0.id, url: $0.permalink) }
    }

    // MARK: Counts

    package var readsMetrics: Bool { true }

    /// `GET /{media}/insights`: views, accounts reached, likes, comments, shares and saves (a thread item is a
    /// comment, which has no counts).
    package func metrics(_ post: MetricsRequest) async throws -> PostMetrics {
        guard !post.platformID.contains("/") else { throw ProviderError.rejected(status: 0, message: "Instagram gives no counts of comments") }
        let response = try await graph(.GET, "/\(post.platformID)/insights", [("metric", "views,reach,likes,comments,shares,saved")],
                                       token: post.credentials.accessToken, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let insights = response.decode(GraphInsights.self) else {
            throw ProviderError.unavailable(message: "the server did not answer like Instagram's API: \(response.summary)")
        }
        var counts: [String: Int] = [:]
        for (theirs, ours) in [("views", "views"), ("reach", "reach"), ("likes", "likes"), ("comments", "replies"), ("shares", "shares"), ("saved", "saves")] {
            if let value = insights.counts[theirs] { counts[ours] = value }
        }
        return PostMetrics(counts: counts)
    }

    // MARK: Plumbing

    private func configuredApp() throws -> PlatformConfiguration.OAuthApp {
        guard let app else {
            throw ProviderError.rejected(status: 0, message: "this installation has no app for Instagram; an administrator sets \(clientIDSetting)")
        }
        return app
    }

    func graph(_ method: HTTPMethod, _ path: String, _ parameters: [(String, String)], token: String, mutates: Bool) async throws -> PlatformHTTP.Response {
        try await http.send(GraphAPI.request(method, try configuredApp().api("/\(Self.version)\(path)"), parameters, token: token), mutates: mutates)
    }

    static func error(for response: PlatformHTTP.Response, mutates: Bool) -> ProviderError {
        GraphError.classify(response, mutates: mutates, platform: "Instagram")
    }
}

struct InstagramCodeAnswer: Decodable {
    var data: [Token]

    struct Token: Decodable {
        var accessToken: String

        enum CodingKeys: String, CodingKey { case accessToken = "access_token" }
    }
}

struct InstagramProfile: Decodable {
    var id: String
    var userID: String?
    var username: String
    var name: String?
    var profilePictureURL: String?

    enum CodingKeys: String, CodingKey { case id, userID = "user_id", username, name, profilePictureURL = "profile_picture_url" }
}

struct InstagramComments: Decodable {
    var data: [Comment]

    struct Comment: Decodable {
        var id: String
        var text: String?
        var from: FacebookNode?
    }
}
