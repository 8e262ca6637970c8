import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Facebook Pages through the Graph API: Meta's consent page (no PKCE; the code and then the short-lived
/// user token are traded with the app secret for a user token of 60 days), the person chooses one of the
/// Pages they may post to (`/me/accounts`), and the Page's own token — which does not expire — publishes:
/// text to `/{page}/feed`, one image as a published photo (`/{page}/photos`, the file uploaded), several as
/// unpublished photos attached to a feed post. Thread items become comments on the first post (a comment's
/// platform id is `<post id>/<comment id>`). Facebook takes no idempotency key; a post whose outcome is
/// unknown is looked up among the Page's published posts (or the post's comments).
package struct FacebookProvider: OAuthProvider, ChoosingProvider {
    package let identifier = "facebook"
    package let displayName = "Facebook"
    package let connectMethod = ConnectMethod.oauth2
    package let requiresInstanceURL = false
    package let supportsIdempotencyKeys = false
    package let findsPublishedPosts = true
    /// Facebook's limit for a post's text.
    package let maximumCharacters = 63_206
    /// Page calls are counted over a rolling day; a refusal names no reset, so posts wait an hour.
    package let rateLimitWindow: TimeInterval = 3600
    package let scopes = ["pages_show_list", "pages_manage_posts", "pages_read_engagement"]
    package let scopeSeparator = ","
    package let clientIDSetting = "ARKYRA_FACEBOOK_CLIENT_ID"
    package let usesPKCE = false
    /// Photos (JPEG, PNG, GIF, WebP) up to 10 MB, up to 10 on a post; or one video up to 10 GB and 4 hours
    /// (``publishStep(_:)``).
    package let mediaRules = MediaRules(maximumItems: 10, kinds: [.image, .video], maximumImageBytes: 10 * 1024 * 1024,
                                        maximumVideoBytes: 10 * 1024 * 1024 * 1024, maximumVideoDurationMs: 4 * 3_600_000)
    package let deletesPosts = true
    package let app: PlatformConfiguration.OAuthApp?
    let http: PlatformHTTP
    package static let version = "v23.0"

    package init(http: PlatformHTTP, app: PlatformConfiguration.OAuthApp?) {
        self.http = http
        self.app = app
    }

    package func characterCount(of text: String) -> Int { text.count }

    package func connect(_ request: ConnectRequest) async throws -> ConnectedAccount {
        throw ProviderError.rejected(status: 0, message: "Facebook Pages connect through Meta's consent page, not with a token")
    }

    // MARK: Connecting

    package func exchange(code: String, verifier: String, redirectURI: String) async throws -> ConnectedAccount {
        let app = try configuredApp()
        let secret = app.clientSecret ?? ""
        let short = try await token([("client_id", app.clientID), ("redirect_uri", redirectURI), ("client_secret", secret), ("code", code)])
        let long = try await token([("grant_type", "fb_exchange_token"), ("client_id", app.clientID), ("client_secret", secret), ("fb_exchange_token", short.accessToken)])
        let response = try await send(.GET, "/me", [("fields", "id,name")], token: long.accessToken, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let person = response.decode(FacebookNode.self) else {
            throw ProviderError.rejected(status: response.status, message: "the server did not answer like Facebook's Graph API")
        }
        return ConnectedAccount(
            account: ProviderAccount(id: person.id, name: person.name ?? person.id, username: person.name ?? person.id, avatarURL: nil),
            credentials: ProviderCredentials(accessToken: long.accessToken, expiresAt: long.expiresIn.map { Date().addingTimeInterval(TimeInterval($0)) }, instanceURL: nil)
        )
    }

    private func token(_ parameters: [(String, String)]) async throws -> GraphToken {
        try await GraphAPI.token(http: http, url: try configuredApp().api("/\(Self.version)/oauth/access_token"), parameters, platform: displayName)
    }

    /// The Pages the person may create content on.
    package func choices(for connected: ConnectedAccount) async throws -> [ProviderChoice] {
        try await pages(of: connected).map { ProviderChoice(id: $0.id, name: $0.name, kind: $0.category.map { "page (\($0))" } ?? "page") }
    }

    package func choose(_ choiceID: String, of connected: ConnectedAccount) async throws -> ConnectedAccount {
        guard let page = try await pages(of: connected).first(where: { $0.id == choiceID }), let token = page.accessToken else {
            throw ProviderError.rejected(status: 0, message: "\(choiceID) is not a Page \(connected.account.name) may post to")
        }
        return ConnectedAccount(
            account: ProviderAccount(id: page.id, name: page.name, username: page.name, avatarURL: try configuredApp().api("/\(Self.version)/\(page.id)/picture")),
            credentials: ProviderCredentials(accessToken: token, instanceURL: nil)
        )
    }

    private func pages(of connected: ConnectedAccount) async throws -> [FacebookPage] {
        let response = try await send(.GET, "/me/accounts", [("fields", "id,name,access_token,category,tasks"), ("limit", "100")],
                                      token: connected.credentials.accessToken, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let page = response.decode(FacebookPages.self) else {
            throw ProviderError.rejected(status: response.status, message: "the server did not answer like Facebook's Graph API")
        }
        return page.data.filter { $0.tasks?.contains("CREATE_CONTENT") ?? true }
    }

    // MARK: Publishing

    package func publish(_ post: PublishRequest) async throws -> PublishedPost {
        guard let page = post.accountID else {
            throw ProviderError.rejected(status: 0, message: "the channel has no Facebook Page id; connect the Page again")
        }
        let token = post.credentials.accessToken
        if let replyTo = post.replyTo {
            let target = Self.commentedPost(replyTo)
            let response = try await send(.POST, "/\(target)/comments", [("message", post.content)], token: token, mutates: true)
            let created = try Self.created(response, mutates: true)
            return PublishedPost(platformID: "\(target)/\(created.id)", url: "https://www.facebook.com/\(target)?comment_id=\(created.id)")
        }
        switch post.media.count {
        case 0:
            let response = try await send(.POST, "/\(page)/feed", [("message", post.content)], token: token, mutates: true)
            return Self.published(try Self.created(response, mutates: true).id)
        case 1:
            let photo = try await upload(post.media[0], of: post, page: page, caption: post.content, published: true)
            return Self.published(photo.postID ?? "\(page)_\(photo.id)")
        default:
            var attached: [(String, String)] = [("message", post.content)]
            for (index, file) in post.media.enumerated() {
                let photo = try await upload(file, of: post, page: page, caption: file.alt, published: false)
                attached.append(("attached_media[\(index)]", "{\"media_fbid\":\"\(photo.id)\"}"))
            }
            let response = try await send(.POST, "/\(page)/feed", attached, token: token, mutates: true)
            return Self.published(try Self.created(response, mutates: true).id)
        }
    }

    /// Uploads a photo's bytes (`source`); a published one is the post itself, an unpublished one changes
    /// nothing anyone sees until it is attached.
    private func upload(_ file: PublishMedia, of post: PublishRequest, page: String, caption: String?, published: Bool) async throws -> FacebookCreated {
        var form = MultipartForm()
        if let caption, !caption.isEmpty { form.field(published ? "message" : "caption", caption) }
        if let alt = file.alt, !alt.isEmpty, published { form.field("alt_text_custom", alt) }
        form.field("published", published ? "true" : "false")
        form.file("source", fileName: file.fileName, contentType: file.contentType, contents: try await post.contents(of: file, maximumBytes: mediaRules.maximumImageBytes))
        var request = HTTPClientRequest(url: try configuredApp().api("/\(Self.version)/\(page)/photos") + "?" + GraphAPI.form([("access_token", post.credentials.accessToken)]))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: form.contentType)
        request.body = .bytes(form.finished())
        return try Self.created(try await http.send(request, mutates: published), mutates: published)
    }

    static func created(_ response: PlatformHTTP.Response, mutates: Bool) throws -> FacebookCreated {
        guard response.status == 200 else { throw error(for: response, mutates: mutates) }
        guard let created = response.decode(FacebookCreated.self) else {
            let summary = "Facebook accepted the call but its answer could not be read: \(response.summary)"
            throw mutates ? ProviderError.outcomeUnknown(message: summary) : ProviderError.rejected(status: response.status, message: summary)
        }
        return created
    }

    private static func published(_ id: String) -> PublishedPost {
        PublishedPost(platformID: id, url: "https://www.facebook.com/\(id)")
    }

    /// The post a thread item comments on: the item before it, or the post that item commented on.
    static func commentedPost(_ replyTo: String) -> String {
        String(replyTo.split(separator: "/").first ?? Substring(replyTo))
    }

    /// The Page's posts (or the first post's comments, for a thread item) since the post was due, matched by text.
    package func findPublished(_ post: PublishRequest) async throws -> PublishedPost? {
        guard let page = post.accountID else { return nil }
        let since = String(Int(post.createdAt.timeIntervalSince1970) - 60)
        if let replyTo = post.replyTo {
            let target = Self.commentedPost(replyTo)
            let response = try await send(.GET, "/\(target)/comments", [("fields", "id,message,from,created_time"), ("filter", "stream"), ("since", since), ("limit", "100")],
                                          token: post.credentials.accessToken, mutates: false)
            guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
            let comments = response.decode(FacebookFeed.self)?.data ?? []
            return comments.first { $0.message == post.content && $0.from?.id == page }
                .map { PublishedPost(platformID: "\(target)/\($0.id)", url: "https://www.facebook.com/\(target)?comment_id=\($0.id)") }
        }
        let response = try await send(.GET, "/\(page)/published_posts", [("fields", "id,message,created_time"), ("since", since), ("limit", "100")],
                                      token: post.credentials.accessToken, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        return (response.decode(FacebookFeed.self)?.data ?? []).first { ($0.message ?? "") == post.content }.map { Self.published($0.id) }
    }

    /// `DELETE /{post}` or, for a thread item, `DELETE /{comment}`; one already gone (error 100, subcode 33)
    /// counts as deleted.
    package func delete(_ post: DeleteRequest) async throws {
        let id = String(post.platformID.split(separator: "/").last ?? Substring(post.platformID))
        let response = try await send(.DELETE, "/\(id)", [], token: post.credentials.accessToken, mutates: false)
        if response.status == 200 { return }
        if let problem = GraphError.problem(in: response), problem.code == 100, problem.errorSubcode == 33 { return }
        throw Self.error(for: response, mutates: false)
    }

    // MARK: Counts

    package let readsMetrics = true

    /// `GET /{post}?fields=shares,reactions.summary(…),comments.summary(…)`: reactions (as likes), comments and
    /// shares (Facebook leaves `shares` out while there are none). A thread item is a comment, which has no counts here.
    package func metrics(_ post: MetricsRequest) async throws -> PostMetrics {
        guard !post.platformID.contains("/") else { throw ProviderError.rejected(status: 0, message: "ARKYRA reads the counts of Facebook posts, not of comments") }
        let fields = "shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
        let response = try await send(.GET, "/\(post.platformID)", [("fields", fields)], token: post.credentials.accessToken, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let counts = response.decode(FacebookCounts.self) else {
            throw ProviderError.unavailable(message: "the server did not answer like Facebook's Graph API: \(response.summary)")
        }
        return PostMetrics(counts: ["likes": counts.reactions?.summary.totalCount ?? 0, "replies": counts.comments?.summary.totalCount ?? 0,
                                    "shares": counts.shares?.count ?? 0])
    }

    // MARK: Plumbing

    func configuredApp() throws -> PlatformConfiguration.OAuthApp {
        guard let app else {
            throw ProviderError.rejected(status: 0, message: "this installation has no Facebook app; an administrator sets \(clientIDSetting)")
        }
        return app
    }

    /// A Graph call under the API's version.
    func send(_ method: HTTPMethod, _ path: String, _ parameters: [(String, String)], token: String, mutates: Bool) async throws -> PlatformHTTP.Response {
        try await http.send(GraphAPI.request(method, try configuredApp().api("/\(Self.version)\(path)"), parameters, token: token), mutates: mutates)
    }

    /// A Page token refused (code 190) cannot be refreshed: the Page must be connected again.
    static func error(for response: PlatformHTTP.Response, mutates: Bool) -> ProviderError {
        GraphError.classify(response, mutates: mutates, platform: "Facebook")
    }
}

struct FacebookCounts: Decodable {
    var shares: Shares?
    var reactions: Edge?
    var comments: Edge?

    struct Shares: Decodable { var count: Int }

    struct Edge: Decodable {
        var summary: Summary

        struct Summary: Decodable {
            var totalCount: Int

            enum CodingKeys: String, CodingKey { case totalCount = "total_count" }
        }
    }
}

struct FacebookNode: Decodable {
    var id: String
    var name: String?
}

struct FacebookPage: Decodable {
    var id: String
    var name: String
    var accessToken: String?
    var category: String?
    var tasks: [String]?

    enum CodingKeys: String, CodingKey { case id, name, accessToken = "access_token", category, tasks }
}

struct FacebookPages: Decodable {
    var data: [FacebookPage]
}

struct FacebookCreated: Decodable {
    var id: String
    var postID: String?

    enum CodingKeys: String, CodingKey { case id, postID = "post_id" }
}

struct FacebookFeed: Decodable {
    var data: [Item]

    struct Item: Decodable {
        var id: String
        var message: String?
        var from: FacebookNode?
    }
}
