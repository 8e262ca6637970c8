import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Threads (Meta) through the Threads API: Meta's consent page (no PKCE; the code is traded with the client
/// secret for a one-hour token, then for a long-lived one of 60 days, which renews itself with
/// `th_refresh_token` once it is a day old). Posting is two steps: a media container
/// (`POST /{user}/threads`), then `POST /{user}/threads_publish`. Threads fetches images and videos from a
/// public URL and processes them for a while, so a post with media is created, then checked by later queue
/// jobs (`GET /{container}?fields=status`) and published once it is `FINISHED`; several files make a
/// carousel of item containers. Thread items reply to the one before (`reply_to_id`). Threads takes no
/// idempotency key, but a container is published once at most, and its status tells whether it was; a post
/// whose publish call was lost is looked up among the account's threads or replies.
package struct ThreadsProvider: OAuthProvider, GraphContainers {
    package let identifier = "threads"
    package let displayName = "Threads"
    package let connectMethod = ConnectMethod.oauth2
    package let requiresInstanceURL = false
    package let supportsIdempotencyKeys = false
    package let findsPublishedPosts = true
    package let maximumCharacters = ThreadsText.maximum
    package let countingRule: String? = "Threads counts an emoji as its UTF-8 bytes (most emoji count 4)"
    /// Calls are counted per app and user over a rolling day; a refusal names no reset, so posts wait an hour.
    package let rateLimitWindow: TimeInterval = 3600
    package let scopes = ["threads_basic", "threads_content_publish", "threads_delete"]
    package let scopeSeparator = ","
    package let clientIDSetting = "ARKYRA_THREADS_CLIENT_ID"
    package let usesPKCE = false
    /// Images (JPEG, PNG) up to 8 MB, videos (MP4, MOV) up to 1 GB and 5 minutes; up to 20 in a carousel.
    package let mediaRules = MediaRules(maximumItems: 20, kinds: [.image, .video], maximumImageBytes: 8 * 1024 * 1024,
                                        maximumVideoBytes: 1024 * 1024 * 1024, maximumVideoDurationMs: 300_000, mixesKinds: true)
    package let deletesPosts = true
    /// Long-lived tokens are renewed a week before their 60 days run out.
    package let tokenRefreshMargin: TimeInterval = 7 * 86_400
    package let app: PlatformConfiguration.OAuthApp?
    let http: PlatformHTTP
    static let version = "v1.0"
    /// How long the URL Threads fetches a file from stays valid (containers expire after a day).
    static let mediaURLLifetime: Duration = .seconds(86_400)

    package init(http: PlatformHTTP, app: PlatformConfiguration.OAuthApp?) {
        self.http = http
        self.app = app
    }

    package func characterCount(of text: String) -> Int { ThreadsText.count(text) }

    package func textProblem(_ text: String) -> String? {
        let links = ThreadsText.links(in: text)
        return links > ThreadsText.maximumLinks ? "has \(links) different links; Threads takes at most \(ThreadsText.maximumLinks) in a post" : nil
    }

    package func connect(_ request: ConnectRequest) async throws -> ConnectedAccount {
        throw ProviderError.rejected(status: 0, message: "Threads accounts connect through Meta's consent page, not with a token")
    }

    // MARK: Connecting

    package func exchange(code: String, verifier: String, redirectURI: String) async throws -> ConnectedAccount {
        let app = try configuredApp()
        let short = try await OAuth2TokenEndpoint(http: http, url: app.api("/oauth/access_token"), app: app, clientAuthentication: .requestBody)
            .exchange(code: code, verifier: nil, redirectURI: redirectURI)
        let credentials = try await GraphAPI.selfRenewing(
            http: http, url: app.api("/access_token"), [("grant_type", "th_exchange_token"), ("client_secret", app.clientSecret ?? ""), ("access_token", short.accessToken)],
            platform: displayName
        )
        let response = try await graph(.GET, "/me", [("fields", "id,username,name,threads_profile_picture_url")], token: credentials.accessToken, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let profile = response.decode(ThreadsProfile.self) else {
            throw ProviderError.rejected(status: response.status, message: "the server did not answer like the Threads API")
        }
        return ConnectedAccount(
            account: ProviderAccount(id: profile.id, name: profile.name ?? profile.username, username: profile.username, avatarURL: profile.threadsProfilePictureURL),
            credentials: credentials
        )
    }

    package func refresh(_ credentials: ProviderCredentials) async throws -> ProviderCredentials {
        try await GraphAPI.renew(credentials, http: http, url: try configuredApp().api("/refresh_access_token"), grant: "th_refresh_token", platform: displayName)
    }

    // MARK: Publishing

    package func publishStep(_ post: PublishRequest) async throws -> PublishStep {
        guard let user = post.accountID else {
            throw ProviderError.rejected(status: 0, message: "the channel has no Threads user id; connect the account again")
        }
        return try await containerStep(post, user: user)
    }

    let dialect = GraphDialect(platform: "Threads", create: "threads", publish: "threads_publish", textField: "text", statusField: "status",
                               videoType: "VIDEO", textType: "TEXT", replyField: "reply_to_id")

    func mediaURL(of file: PublishMedia, in post: PublishRequest) throws -> String {
        guard let storage = post.storage else { throw ProviderError.rejected(status: 0, message: "the media storage is not configured") }
        return storage.readURL(key: file.storageKey, lifetime: Self.mediaURLLifetime)
    }

    /// The account's threads (or, for a thread item, its replies) since the post was due, matched by text.
    package func findPublished(_ post: PublishRequest) async throws -> PublishedPost? {
        let since = Int(post.createdAt.timeIntervalSince1970) - 60
        let response = try await graph(.GET, post.replyTo == nil ? "/me/threads" : "/me/replies",
                                      [("fields", "id,text,timestamp,permalink"), ("since", String(since)), ("limit", "100")],
                                      token: post.credentials.accessToken, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let page = response.decode(GraphPage.self) else {
            throw ProviderError.unavailable(message: "the server did not answer like the Threads API: \(response.summary)")
        }
        return page.data.first { ($0.text ?? "") == post.content }.map { PublishedPost(platformID: $0.id, url: $0.permalink) }
    }

    package let readsMetrics = true

    /// `GET /{media}/insights`: views, likes, replies, reposts, quotes and shares.
    package func metrics(_ post: MetricsRequest) async throws -> PostMetrics {
        let response = try await graph(.GET, "/\(post.platformID)/insights", [("metric", "views,likes,replies,reposts,quotes,shares")],
                                       token: post.credentials.accessToken, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let insights = response.decode(GraphInsights.self) else {
            throw ProviderError.unavailable(message: "the server did not answer like the Threads API: \(response.summary)")
        }
        return PostMetrics(counts: insights.counts)
    }

    /// `DELETE /{media}`; a post already gone (error 100, subcode 33) counts as deleted.
    package func delete(_ post: DeleteRequest) async throws {
        let response = try await graph(.DELETE, "/\(post.platformID)", [], token: post.credentials.accessToken, mutates: false)
        if response.status == 200 { return }
        if let problem = GraphError.problem(in: response), problem.code == 100, problem.errorSubcode == 33 { return }
        throw Self.error(for: response, mutates: false)
    }

    // MARK: Plumbing

    private func configuredApp() throws -> PlatformConfiguration.OAuthApp {
        guard let app else {
            throw ProviderError.rejected(status: 0, message: "this installation has no Threads app; an administrator sets \(clientIDSetting)")
        }
        return app
    }

    func graph(_ method: HTTPMethod, _ path: String, _ parameters: [(String, String)], token: String, mutates: Bool) async throws -> PlatformHTTP.Response {
        try await http.send(GraphAPI.request(method, try configuredApp().api("/\(Self.version)\(path)"), parameters, token: token), mutates: mutates)
    }

    static func error(for response: PlatformHTTP.Response, mutates: Bool) -> ProviderError {
        GraphError.classify(response, mutates: mutates, platform: "Threads")
    }
}

struct ThreadsProfile: Decodable {
    var id: String
    var username: String
    var name: String?
    var threadsProfilePictureURL: String?

    enum CodingKeys: String, CodingKey { case id, username, name, threadsProfilePictureURL = "threads_profile_picture_url" }
}
