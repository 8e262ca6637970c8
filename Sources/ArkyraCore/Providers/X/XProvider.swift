import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// X (Twitter) through its API v2 in user context: OAuth 2.0 with PKCE to connect (access tokens live two
/// hours; `offline.access` gives a refresh token, replaced at every refresh), `POST /2/tweets` to publish
/// (a reply names the post it answers), and the account's recent posts to find one whose outcome is unknown
/// (X takes no idempotency key). Images are uploaded first (`POST /2/media/upload`, alt text through
/// `/2/media/metadata`); an upload publishes nothing, so a retry uploads again.
package struct XProvider: OAuthProvider {
    package let identifier = "x"
    package let displayName = "X"
    package let connectMethod = ConnectMethod.oauth2
    package let requiresInstanceURL = false
    package let supportsIdempotencyKeys = false
    package let findsPublishedPosts = true
    package let maximumCharacters = XTextLength.maximum
    /// X's rate-limit windows are 15 minutes.
    package let rateLimitWindow: TimeInterval = 900
    package let scopes = ["tweet.read", "tweet.write", "users.read", "media.write", "offline.access"]
    /// Up to four images of 5 MB (a GIF 15 MB). (Video goes through X's chunked upload, which ARKYRA does not do yet.)
    package let mediaRules = MediaRules(maximumItems: 4, kinds: [.image], maximumImageBytes: 15 * 1024 * 1024)
    package let clientIDSetting = "ARKYRA_X_CLIENT_ID"
    package let app: PlatformConfiguration.OAuthApp?
    let http: PlatformHTTP

    package init(http: PlatformHTTP, app: PlatformConfiguration.OAuthApp?) {
        self.http = http
        self.app = app
    }

    package func characterCount(of text: String) -> Int { XTextLength.count(text) }
    package let countingRule: String? = "X counts every link as 23, and emoji and CJK characters as 2"

    package func connect(_ request: ConnectRequest) async throws -> ConnectedAccount {
        throw ProviderError.rejected(status: 0, message: "X accounts connect through X's consent page, not with a token")
    }

    package func exchange(code: String, verifier: String, redirectURI: String) async throws -> ConnectedAccount {
        let tokens = try await tokenEndpoint().exchange(code: code, verifier: verifier, redirectURI: redirectURI)
        let credentials = ProviderCredentials(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt, instanceURL: nil)
        let user = try await me(credentials)
        return ConnectedAccount(
            account: ProviderAccount(id: user.id, name: user.name, username: user.username, avatarURL: user.profileImageURL),
            credentials: credentials
        )
    }

    package func refresh(_ credentials: ProviderCredentials) async throws -> ProviderCredentials {
        try await tokenEndpoint().refreshed(credentials, missing: "no refresh token is stored; connect the account again")
    }

    package func publish(_ post: PublishRequest) async throws -> PublishedPost {
        var fields: [String: Any] = ["text": post.content]
        if let replyTo = post.replyTo { fields["reply"] = ["in_reply_to_tweet_id": replyTo] }
        if !post.media.isEmpty {
            var ids: [String] = []
            for file in post.media { ids.append(try await upload(file, of: post)) }
            fields["media"] = ["media_ids": ids]
        }
        let body = try JSONSerialization.data(withJSONObject: fields, options: [.withoutEscapingSlashes])
        let response = try await send(.POST, "/2/tweets", token: post.credentials.accessToken, body: body, mutates: true)
        guard response.status == 201 || response.status == 200 else { throw Self.error(for: response, mutates: true) }
        guard let created = response.decode(XEnvelope<XPost>.self)?.data else {
            throw ProviderError.outcomeUnknown(message: "post created but the answer could not be read: \(response.summary)")
        }
        return PublishedPost(platformID: created.id, url: Self.webURL(of: created.id))
    }

    /// Looks through the account's posts since shortly before `createdAt` for one with the same text (links
    /// compared by position only: X shortens them) answering the same post.
    package func findPublished(_ post: PublishRequest) async throws -> PublishedPost? {
        let user = try await me(post.credentials)
        let since = ISO8601Timestamp.format(post.createdAt.addingTimeInterval(-300)).replacingOccurrences(of: ".000Z", with: "Z")
        let path = "/2/users/\(user.id)/tweets?max_results=100&tweet.fields=created_at,referenced_tweets&start_time=\(since)"
        let response = try await send(.GET, path, token: post.credentials.accessToken, body: nil, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let page = response.decode(XEnvelope<[XPost]>.self) else {
            throw ProviderError.unavailable(message: "the account's posts could not be read: \(response.summary)")
        }
        let wanted = Self.comparable(post.content)
        let match = (page.data ?? []).first { candidate in
            Self.comparable(candidate.text) == wanted
                && candidate.referencedTweets?.first { $0.type == "replied_to" }?.id == post.replyTo
        }
        return match.map { PublishedPost(platformID: $0.id, url: Self.webURL(of: $0.id)) }
    }

    package let readsMetrics = true

    /// `GET /2/tweets/:id?tweet.fields=public_metrics`: impressions, likes, replies, reposts and quotes.
    package func metrics(_ post: MetricsRequest) async throws -> PostMetrics {
        let response = try await send(.GET, "/2/tweets/\(post.platformID)?tweet.fields=public_metrics", token: post.credentials.accessToken, body: nil, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let counts = response.decode(XEnvelope<XMetricsPost>.self)?.data?.publicMetrics else {
            throw ProviderError.rejected(status: response.status, message: "X has no such post any more: \(response.summary)")
        }
        return PostMetrics(counts: [
            "views": counts.impressionCount ?? 0, "likes": counts.likeCount, "replies": counts.replyCount, "reposts": counts.retweetCount, "quotes": counts.quoteCount,
        ])
    }

    package let deletesPosts = true

    /// `DELETE /2/tweets/:id`. X answers a post that is not there with 200 and a `resource-not-found` error.
    package func delete(_ post: DeleteRequest) async throws {
        guard post.platformID.allSatisfy(\.isNumber) else {
            throw ProviderError.rejected(status: 0, message: "\(post.platformID) is not an X post id")
        }
        let response = try await send(.DELETE, "/2/tweets/\(post.platformID)", token: post.credentials.accessToken, body: nil, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        let answer = response.decode(XDeletion.self)
        if answer?.data?.deleted == true || answer?.errors?.contains(where: { $0.type?.hasSuffix("resource-not-found") == true }) == true { return }
        throw ProviderError.rejected(status: 200, message: "X did not delete the post: \(response.summary)")
    }

    private func me(_ credentials: ProviderCredentials) async throws -> XUser {
        let response = try await send(.GET, "/2/users/me?user.fields=profile_image_url", token: credentials.accessToken, body: nil, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let user = response.decode(XEnvelope<XUser>.self)?.data else {
            throw ProviderError.rejected(status: response.status, message: "the server did not answer like X's API")
        }
        return user
    }

    private func tokenEndpoint() throws -> OAuth2TokenEndpoint {
        let app = try configuredApp()
        return OAuth2TokenEndpoint(http: http, url: app.api("/2/oauth2/token"), app: app)
    }

    private func configuredApp() throws -> PlatformConfiguration.OAuthApp {
        guard let app else {
            throw ProviderError.rejected(status: 0, message: "this installation has no X app; an administrator sets \(clientIDSetting)")
        }
        return app
    }

    /// `POST /2/media/upload` (multipart), then the alt text; returns the media id.
    private func upload(_ file: PublishMedia, of post: PublishRequest) async throws -> String {
        let limit = file.contentType == "image/gif" ? 15 * 1024 * 1024 : 5 * 1024 * 1024
        guard file.sizeBytes <= limit else { throw ProviderError.rejected(status: 0, message: "X takes images of at most 5 MB (GIFs 15 MB); \(file.fileName) is larger") }
        var form = MultipartForm()
        form.field("media_category", file.contentType == "image/gif" ? "tweet_gif" : "tweet_image")
        form.file("media", fileName: file.fileName, contentType: file.contentType, contents: try await post.contents(of: file, maximumBytes: limit))
        var request = HTTPClientRequest(url: try configuredApp().api("/2/media/upload"))
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(post.credentials.accessToken)")
        request.headers.add(name: "Content-Type", value: form.contentType)
        request.body = .bytes(form.finished())
        let response = try await http.send(request, mutates: false)
        guard response.status == 200 || response.status == 201 else { throw Self.error(for: response, mutates: false) }
        guard let media = response.decode(XEnvelope<XMedia>.self)?.data else {
            throw ProviderError.unavailable(message: "X's media upload answer could not be read: \(response.summary)")
        }
        if let alt = file.alt, !alt.isEmpty {
            let body = try JSONSerialization.data(withJSONObject: ["id": media.id, "metadata": ["alt_text": ["text": String(alt.prefix(1000))]]])
            let answer = try await send(.POST, "/2/media/metadata", token: post.credentials.accessToken, body: body, mutates: false)
            guard answer.status == 200 else { throw Self.error(for: answer, mutates: false) }
        }
        return media.id
    }

    private func send(_ method: HTTPMethod, _ path: String, token: String, body: Data?, mutates: Bool) async throws -> PlatformHTTP.Response {
        try await http.sendJSON(method, try configuredApp().api(path), bearer: token, body: body, mutates: mutates)
    }

    static func webURL(of id: String) -> String { "https://x.com/i/web/status/\(id)" }

    /// Text with every link replaced by one marker, for comparing what was sent with what X shows.
    static func comparable(_ text: String) -> String {
        text.replacing(/(?i)(?:https?:\/\/|www\.)[^\s]+/, with: "<link>")
    }

    /// X's errors: 401 for an access token that expired or was revoked (a refresh tells which), 403 for a
    /// post X refuses (duplicate text, a reply it does not allow), 429 with `x-rate-limit-reset` (epoch
    /// seconds); bodies are problem documents `{title, detail, type, status}`.
    static func error(for response: PlatformHTTP.Response, mutates: Bool) -> ProviderError {
        let problem = response.decode(XProblem.self)
        let message = problem.map { [$0.title, $0.detail ?? $0.errors?.first?.message].compactMap { $0 }.joined(separator: ": ") } ?? response.summary
        switch response.status {
        case 401: return .tokenExpired(message: message)
        case 403: return .rejected(status: 403, message: message)
        default:
            return ProviderError.classify(status: response.status, message: message, mutates: mutates, retryAt: retryTime(response.headers))
        }
    }

    static func retryTime(_ headers: HTTPHeaders, now: Date = Date()) -> Date? {
        ProviderError.retryTime(retryAfter: headers.first(name: "Retry-After"), now: now)
            ?? headers.first(name: "x-rate-limit-reset").flatMap(TimeInterval.init).map { Date(timeIntervalSince1970: $0) }
    }
}

/// `DELETE /2/tweets/:id`'s answer.
struct XDeletion: Decodable {
    struct Deleted: Decodable { var deleted: Bool }
    struct Problem: Decodable { var type: String? }
    var data: Deleted?
    var errors: [Problem]?
}

struct XEnvelope<T: Decodable>: Decodable {
    var data: T?
}

struct XUser: Decodable {
    var id: String
    var name: String
    var username: String
    var profileImageURL: String?

    enum CodingKeys: String, CodingKey {
        case id, name, username, profileImageURL = "profile_image_url"
    }
}

struct XPost: Decodable {
    var id: String
    var text: String
    var referencedTweets: [Reference]?

    struct Reference: Decodable {
        var type: String
        var id: String
    }

    enum CodingKeys: String, CodingKey {
        case id, text, referencedTweets = "referenced_tweets"
    }
}

struct XProblem: Decodable {
    var title: String?
    var detail: String?
    var errors: [Entry]?

    struct Entry: Decodable {
        var message: String?
    }
}

struct XMetricsPost: Decodable {
    var publicMetrics: Counts?

    struct Counts: Decodable {
        var retweetCount: Int
        var replyCount: Int
        var likeCount: Int
        var quoteCount: Int
        var impressionCount: Int?

        enum CodingKeys: String, CodingKey {
            case retweetCount = "retweet_count", replyCount = "reply_count", likeCount = "like_count", quoteCount = "quote_count", impressionCount = "impression_count"
        }
    }

    enum CodingKeys: String, CodingKey { case publicMetrics = "public_metrics" }
}

struct XMedia: Decodable {
    var id: String
}
