import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Reddit through its OAuth API: Reddit's consent page (`duration=permanent` for a refresh token; the app
/// authenticates with HTTP Basic; access tokens live a day), the person chooses where to post — their own
/// profile or a subreddit they joined — and each post is a text post there (`POST /api/submit`): its first
/// line the title, the rest the body. Thread items are comments on the first post (`POST /api/comment`).
/// Reddit answers refusals with HTTP 200 and `{"json": {"errors": [[code, message, field]]}}`; its limits
/// come in `X-Ratelimit-Remaining` and `X-Ratelimit-Reset` (seconds). A post whose outcome is unknown is
/// looked up among the account's submissions (or the first post's comments).
package struct RedditProvider: OAuthProvider, ChoosingProvider {
    package let identifier = "reddit"
    package let displayName = "Reddit"
    package let connectMethod = ConnectMethod.oauth2
    package let requiresInstanceURL = false
    package let supportsIdempotencyKeys = false
    package let findsPublishedPosts = true
    /// A text post's body; the title (the first line) is at most 300 characters.
    package let maximumCharacters = 40_000
    package let rateLimitWindow: TimeInterval = 600
    package let scopes = ["identity", "submit", "read", "edit", "mysubreddits"]
    package let clientIDSetting = "ARKYRA_REDDIT_CLIENT_ID"
    package let usesPKCE = false
    package let extraAuthorizationParameters = [URLQueryItem(name: "duration", value: "permanent")]
    package let deletesPosts = true
    package let readsMetrics = true
    package let app: PlatformConfiguration.OAuthApp?
    let http: PlatformHTTP
    static let maximumTitle = 300
    /// Reddit asks every client to name itself.
    static let userAgent = "server:arkyra:1.0 (self-hosted social media scheduler)"

    package init(http: PlatformHTTP, app: PlatformConfiguration.OAuthApp?) {
        self.http = http
        self.app = app
    }

    package func characterCount(of text: String) -> Int { text.count }

    package func textProblem(_ text: String) -> String? {
        let title = Self.title(of: text)
        if title.isEmpty { return "needs a first line: Reddit posts take it as their title" }
        return title.count > Self.maximumTitle ? "has a first line of \(title.count) characters; Reddit titles take at most \(Self.maximumTitle)" : nil
    }

    package func connect(_ request: ConnectRequest) async throws -> ConnectedAccount {
        throw ProviderError.rejected(status: 0, message: "Reddit accounts connect through Reddit's consent page, not with a token")
    }

    // MARK: Connecting

    package func exchange(code: String, verifier: String, redirectURI: String) async throws -> ConnectedAccount {
        let tokens = try await tokenEndpoint().exchange(code: code, verifier: nil, redirectURI: redirectURI)
        let credentials = ProviderCredentials(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt, instanceURL: nil)
        let response = try await send(.GET, "/api/v1/me", form: nil, token: credentials.accessToken, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let me = response.decode(RedditMe.self) else {
            throw ProviderError.rejected(status: response.status, message: "the server did not answer like Reddit's API")
        }
        return ConnectedAccount(
            account: ProviderAccount(id: me.name, name: "u/\(me.name)", username: me.name, avatarURL: me.iconImg.map { $0.components(separatedBy: "?").first ?? $0 }),
            credentials: credentials
        )
    }

    package func refresh(_ credentials: ProviderCredentials) async throws -> ProviderCredentials {
        try await tokenEndpoint().refreshed(credentials, missing: "Reddit gave no refresh token; connect the account again")
    }

    /// The person's profile (`u_name`) and the subreddits they joined.
    package func choices(for connected: ConnectedAccount) async throws -> [ProviderChoice] {
        let response = try await send(.GET, "/subreddits/mine/subscriber?limit=100", form: nil, token: connected.credentials.accessToken, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        let subreddits = response.decode(RedditListing<RedditSubreddit>.self)?.data.children.map(\.data) ?? []
        return [ProviderChoice(id: "u_\(connected.account.username)", name: "u/\(connected.account.username)", kind: "profile")]
            + subreddits.filter { !$0.displayName.hasPrefix("u_") }.map { ProviderChoice(id: $0.displayName, name: "r/\($0.displayName)", kind: "subreddit") }
    }

    package func choose(_ choiceID: String, of connected: ConnectedAccount) async throws -> ConnectedAccount {
        guard let choice = try await choices(for: connected).first(where: { $0.id == choiceID }) else {
            throw ProviderError.rejected(status: 0, message: "\(choiceID) is not a subreddit \(connected.account.name) joined")
        }
        // The channel's account id is `<subreddit>/<user>`: where to post, and whose posts to look through.
        return ConnectedAccount(
            account: ProviderAccount(id: "\(choice.id)/\(connected.account.username)",
                                     name: choice.kind == "profile" ? connected.account.name : "\(choice.name) as \(connected.account.name)",
                                     username: connected.account.username, avatarURL: connected.account.avatarURL),
            credentials: connected.credentials
        )
    }

    // MARK: Publishing

    package func publish(_ post: PublishRequest) async throws -> PublishedPost {
        guard let (subreddit, _) = Self.place(post.accountID) else {
            throw ProviderError.rejected(status: 0, message: "the channel names no subreddit; connect it again")
        }
        if let replyTo = post.replyTo {
            let parent = Self.commentedPost(replyTo)
            let response = try await send(.POST, "/api/comment", form: [("api_type", "json"), ("thing_id", parent), ("text", post.content)],
                                          token: post.credentials.accessToken, mutates: true)
            let data = try Self.answer(response, as: RedditCommentData.self, mutates: true)
            guard let comment = data.things.first?.data else {
                throw ProviderError.outcomeUnknown(message: "Reddit took the comment but named it not: \(response.summary)")
            }
            return PublishedPost(platformID: "\(parent)/\(comment.name)", url: comment.permalink.map { "https://www.reddit.com\($0)" })
        }
        let form = [("api_type", "json"), ("sr", subreddit), ("kind", "self"), ("title", Self.title(of: post.content)),
                    ("text", Self.body(of: post.content)), ("resubmit", "true")]
        let response = try await send(.POST, "/api/submit", form: form, token: post.credentials.accessToken, mutates: true)
        let created = try Self.answer(response, as: RedditSubmitData.self, mutates: true)
        return PublishedPost(platformID: created.name, url: created.url)
    }

    /// The first line, cut to Reddit's 300 characters; the rest is the body.
    static func title(of text: String) -> String {
        String((text.split(separator: "\n", omittingEmptySubsequences: true).first ?? "").trimmingCharacters(in: .whitespaces).prefix(maximumTitle))
    }

    static func body(of text: String) -> String {
        guard let newline = text.firstIndex(of: "\n") else { return "" }
        return text[text.index(after: newline)...].trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `<subreddit>/<user>` from the channel's account id.
    static func place(_ accountID: String?) -> (subreddit: String, user: String)? {
        guard let parts = accountID?.split(separator: "/"), parts.count == 2 else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// The post a thread item comments on: the item before it, or the post that item commented on.
    static func commentedPost(_ replyTo: String) -> String {
        String(replyTo.split(separator: "/").first ?? Substring(replyTo))
    }

    /// The account's submissions (or the first post's comments) matched by title and body.
    package func findPublished(_ post: PublishRequest) async throws -> PublishedPost? {
        guard let (_, user) = Self.place(post.accountID) else { return nil }
        let since = post.createdAt.addingTimeInterval(-60).timeIntervalSince1970
        if let replyTo = post.replyTo {
            let parent = Self.commentedPost(replyTo)
            let response = try await send(.GET, "/user/\(user)/comments?limit=100", form: nil, token: post.credentials.accessToken, mutates: false)
            guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
            let comments = response.decode(RedditListing<RedditThing>.self)?.data.children.map(\.data) ?? []
            return comments.first { $0.body == post.content && $0.linkID == parent && ($0.createdUTC ?? since) >= since }
                .map { PublishedPost(platformID: "\(parent)/\($0.name)", url: $0.permalink.map { "https://www.reddit.com\($0)" }) }
        }
        let response = try await send(.GET, "/user/\(user)/submitted?limit=100", form: nil, token: post.credentials.accessToken, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        let posts = response.decode(RedditListing<RedditThing>.self)?.data.children.map(\.data) ?? []
        return posts.first { $0.title == Self.title(of: post.content) && ($0.selftext ?? "") == Self.body(of: post.content) && ($0.createdUTC ?? since) >= since }
            .map { PublishedPost(platformID: $0.name, url: $0.url) }
    }

    /// `POST /api/del` on the post or comment (a thing already deleted answers the same).
    package func delete(_ post: DeleteRequest) async throws {
        let thing = String(post.platformID.split(separator: "/").last ?? Substring(post.platformID))
        let response = try await send(.POST, "/api/del", form: [("id", thing)], token: post.credentials.accessToken, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
    }

    /// `GET /api/info?id=`: the post's score, upvote ratio's likes and comment count.
    package func metrics(_ post: MetricsRequest) async throws -> PostMetrics {
        let thing = String(post.platformID.split(separator: "/").last ?? Substring(post.platformID))
        let response = try await send(.GET, "/api/info?id=\(thing)", form: nil, token: post.credentials.accessToken, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let found = response.decode(RedditListing<RedditThing>.self)?.data.children.first?.data else {
            throw ProviderError.rejected(status: 404, message: "the post is no longer on Reddit")
        }
        return PostMetrics(counts: ["likes": found.ups ?? 0, "score": found.score ?? 0, "replies": found.numComments ?? 0])
    }

    // MARK: Plumbing

    private func tokenEndpoint() throws -> OAuth2TokenEndpoint {
        let app = try configuredApp()
        return OAuth2TokenEndpoint(http: http, url: app.authorizeURL.deletingLastPathComponent().appendingPathComponent("access_token").absoluteString,
                                   app: app, clientAuthentication: .basic)
    }

    private func configuredApp() throws -> PlatformConfiguration.OAuthApp {
        guard let app else {
            throw ProviderError.rejected(status: 0, message: "this installation has no Reddit app; an administrator sets \(clientIDSetting)")
        }
        return app
    }

    private func send(_ method: HTTPMethod, _ path: String, form: [(String, String)]?, token: String, mutates: Bool) async throws -> PlatformHTTP.Response {
        var request = HTTPClientRequest(url: try configuredApp().api(path))
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: GraphAPI.form(form)))
        }
        return try await http.send(request, mutates: mutates)
    }

    /// Reads a `{"json": {"errors", "data"}}` answer: errors such as `SUBREDDIT_NOEXIST` or `RATELIMIT`
    /// ("try again in 5 minutes") in Reddit's words.
    static func answer<Data: Decodable>(_ response: PlatformHTTP.Response, as type: Data.Type, mutates: Bool) throws -> Data {
        guard response.status == 200 else { throw error(for: response, mutates: mutates) }
        guard let answer = response.decode(RedditJSON<Data>.self) else {
            throw mutates ? ProviderError.outcomeUnknown(message: "Reddit's answer could not be read: \(response.summary)")
                          : ProviderError.unavailable(message: "Reddit's answer could not be read: \(response.summary)")
        }
        if let first = answer.json.errors.first {
            let code = first.first ?? "", message = first.dropFirst().first ?? code
            if code == "RATELIMIT" {
                let minutes = message.firstMatch(of: /(\d+) minute/).flatMap { Int($0.1) } ?? 10
                throw ProviderError.rateLimited(retryAt: Date().addingTimeInterval(TimeInterval(minutes * 60)), message: message)
            }
            throw ProviderError.rejected(status: 200, message: "Reddit refused: \(message) (\(code))")
        }
        guard let data = answer.json.data else {
            throw mutates ? ProviderError.outcomeUnknown(message: "Reddit answered without the post: \(response.summary)")
                          : ProviderError.unavailable(message: "Reddit answered without data: \(response.summary)")
        }
        return data
    }

    /// 401 for a token that expired, 403 for a scope or a subreddit that refuses the account, 429 with
    /// `X-Ratelimit-Reset` (seconds).
    static func error(for response: PlatformHTTP.Response, mutates: Bool) -> ProviderError {
        let message = response.decode(RedditError.self).map { "\($0.message) (\($0.error))" } ?? response.summary
        switch response.status {
        case 401: return .tokenExpired(message: message)
        default:
            return ProviderError.classify(status: response.status, message: message, mutates: mutates,
                                          retryAt: ProviderError.retryTime(retryAfter: response.headers.first(name: "X-Ratelimit-Reset").map { String(Int(Double($0) ?? 60)) }))
        }
    }
}

struct RedditMe: Decodable {
    var name: String
    var iconImg: String?

    enum CodingKeys: String, CodingKey { case name, iconImg = "icon_img" }
}

struct RedditListing<Item: Decodable>: Decodable {
    var data: Page

    struct Page: Decodable {
        var children: [Child]
    }

    struct Child: Decodable {
        var data: Item
    }
}

struct RedditSubreddit: Decodable {
    var displayName: String

    enum CodingKeys: String, CodingKey { case displayName = "display_name" }
}

struct RedditThing: Decodable {
    var name: String
    var title: String?
    var selftext: String?
    var body: String?
    var url: String?
    var permalink: String?
    var linkID: String?
    var createdUTC: Double?
    var ups: Int?
    var score: Int?
    var numComments: Int?

    enum CodingKeys: String, CodingKey {
        case name, title, selftext, body, url, permalink, ups, score
        case linkID = "link_id", createdUTC = "created_utc", numComments = "num_comments"
    }
}

struct RedditJSON<Data: Decodable>: Decodable {
    var json: Body

    struct Body: Decodable {
        var errors: [[String]]
        var data: Data?
    }
}

struct RedditSubmitData: Decodable {
    var name: String
    var url: String?
}

struct RedditCommentData: Decodable {
    var things: [Thing]

    struct Thing: Decodable {
        var data: RedditThing
    }
}

struct RedditError: Decodable {
    var message: String
    var error: Int
}
