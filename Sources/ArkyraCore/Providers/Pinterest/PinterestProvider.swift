import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Pinterest boards through the API v5: Pinterest's consent page (OAuth 2.0; the app authenticates with
/// HTTP Basic; access tokens live 30 days, refresh tokens a year), the person chooses one of their boards
/// (`GET /v5/boards`), and each post becomes a Pin on it (`POST /v5/pins`) carrying one image, sent as
/// base64 so Pinterest needs no public URL; the post's text is the Pin's description, its first line the
/// title. Pins take no replies. Pinterest takes no idempotency key; a Pin whose outcome is unknown is looked
/// up among the board's Pins.
package struct PinterestProvider: OAuthProvider, ChoosingProvider {
    package let identifier = "pinterest"
    package let displayName = "Pinterest"
    package let connectMethod = ConnectMethod.oauth2
    package let requiresInstanceURL = false
    package let supportsIdempotencyKeys = false
    package let findsPublishedPosts = true
    /// A Pin's description.
    package let maximumCharacters = 800
    package let rateLimitWindow: TimeInterval = 60
    package let scopes = ["boards:read", "pins:read", "pins:write", "user_accounts:read"]
    package let scopeSeparator = ","
    package let clientIDSetting = "ARKYRA_PINTEREST_CLIENT_ID"
    package let usesPKCE = false
    package let takesThreads = false
    /// One image (JPEG, PNG, GIF, WebP, BMP, TIFF) up to 20 MB; a Pin needs it. (Video Pins go through
    /// Pinterest's media upload, which ARKYRA does not do yet.)
    package let mediaRules: MediaRules = {
        var rules = MediaRules(maximumItems: 1, kinds: [.image], maximumImageBytes: 20 * 1024 * 1024)
        rules.requiresFiles = true
        return rules
    }()
    package let deletesPosts = true
    package let readsMetrics = true
    package let app: PlatformConfiguration.OAuthApp?
    let http: PlatformHTTP
    /// A Pin's title.
    static let maximumTitle = 100

    package init(http: PlatformHTTP, app: PlatformConfiguration.OAuthApp?) {
        self.http = http
        self.app = app
    }

    package func characterCount(of text: String) -> Int { text.count }

    package func connect(_ request: ConnectRequest) async throws -> ConnectedAccount {
        throw ProviderError.rejected(status: 0, message: "Pinterest accounts connect through Pinterest's consent page, not with a token")
    }

    // MARK: Connecting

    package func exchange(code: String, verifier: String, redirectURI: String) async throws -> ConnectedAccount {
        let tokens = try await tokenEndpoint().exchange(code: code, verifier: nil, redirectURI: redirectURI)
        let credentials = ProviderCredentials(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt, instanceURL: nil)
        let response = try await send(.GET, "/v5/user_account", token: credentials.accessToken, body: nil, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let user = response.decode(PinterestUser.self) else {
            throw ProviderError.rejected(status: response.status, message: "the server did not answer like Pinterest's API")
        }
        return ConnectedAccount(
            account: ProviderAccount(id: user.id ?? user.username, name: user.businessName ?? user.username, username: user.username, avatarURL: user.profileImage),
            credentials: credentials
        )
    }

    package func refresh(_ credentials: ProviderCredentials) async throws -> ProviderCredentials {
        try await tokenEndpoint().refreshed(credentials, missing: "Pinterest gave no refresh token; connect the account again")
    }

    /// The person's boards.
    package func choices(for connected: ConnectedAccount) async throws -> [ProviderChoice] {
        var boards: [PinterestBoard] = []
        var bookmark: String?
        repeat {
            let path = "/v5/boards?page_size=100" + (bookmark.map { "&bookmark=\($0)" } ?? "")
            let response = try await send(.GET, path, token: connected.credentials.accessToken, body: nil, mutates: false)
            guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
            guard let page = response.decode(PinterestPage<PinterestBoard>.self) else {
                throw ProviderError.rejected(status: response.status, message: "the server did not answer like Pinterest's API")
            }
            boards += page.items
            bookmark = page.bookmark
        } while bookmark != nil && boards.count < 2000
        return boards.map { ProviderChoice(id: $0.id, name: $0.name, kind: $0.privacy == "SECRET" ? "secret board" : "board") }
    }

    package func choose(_ choiceID: String, of connected: ConnectedAccount) async throws -> ConnectedAccount {
        guard let board = try await choices(for: connected).first(where: { $0.id == choiceID }) else {
            throw ProviderError.rejected(status: 0, message: "\(choiceID) is not a board of \(connected.account.name)")
        }
        let person = connected.account
        return ConnectedAccount(
            account: ProviderAccount(id: board.id, name: "\(board.name) (\(person.name))", username: person.username, avatarURL: person.avatarURL),
            credentials: connected.credentials
        )
    }

    // MARK: Publishing

    package func publish(_ post: PublishRequest) async throws -> PublishedPost {
        guard let board = post.accountID else { throw ProviderError.rejected(status: 0, message: "the channel has no Pinterest board; connect it again") }
        guard let file = post.media.first else { throw ProviderError.rejected(status: 0, message: "a Pin needs an image") }
        let bytes = try await post.contents(of: file, maximumBytes: mediaRules.maximumImageBytes)
        var pin: [String: Any] = [
            "board_id": board, "description": post.content, "title": Self.title(of: post.content),
            "media_source": ["source_type": "image_base64", "content_type": file.contentType, "data": Data(buffer: bytes).base64EncodedString()],
        ]
        if let alt = file.alt, !alt.isEmpty { pin["alt_text"] = String(alt.prefix(500)) }
        if let link = Self.firstLink(in: post.content) { pin["link"] = link }
        let body = try JSONSerialization.data(withJSONObject: pin, options: [.withoutEscapingSlashes, .sortedKeys])
        let response = try await send(.POST, "/v5/pins", token: post.credentials.accessToken, body: body, mutates: true)
        guard response.status == 201 || response.status == 200 else { throw Self.error(for: response, mutates: true) }
        guard let created = response.decode(PinterestPin.self) else {
            throw ProviderError.outcomeUnknown(message: "Pinterest created the Pin but its answer could not be read: \(response.summary)")
        }
        return PublishedPost(platformID: created.id, url: "https://www.pinterest.com/pin/\(created.id)/")
    }

    /// The first line, cut to Pinterest's 100 characters.
    static func title(of text: String) -> String {
        String((text.split(separator: "\n", omittingEmptySubsequences: true).first ?? "").prefix(maximumTitle))
    }

    static func firstLink(in text: String) -> String? {
        text.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("https://") || $0.hasPrefix("http://") }.map(String.init)
    }

    /// The board's Pins (newest first), matched by description and created since the post was due.
    package func findPublished(_ post: PublishRequest) async throws -> PublishedPost? {
        guard let board = post.accountID else { return nil }
        let response = try await send(.GET, "/v5/boards/\(board)/pins?page_size=100", token: post.credentials.accessToken, body: nil, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        let pins = response.decode(PinterestPage<PinterestPin>.self)?.items ?? []
        let since = post.createdAt.addingTimeInterval(-60)
        return pins.first { $0.description == post.content && ($0.createdAt.flatMap(ISO8601Timestamp.parse).map { $0 >= since } ?? true) }
            .map { PublishedPost(platformID: $0.id, url: "https://www.pinterest.com/pin/\($0.id)/") }
    }

    /// `DELETE /v5/pins/{id}`; a Pin already gone (404) counts as deleted.
    package func delete(_ post: DeleteRequest) async throws {
        let response = try await send(.DELETE, "/v5/pins/\(post.platformID)", token: post.credentials.accessToken, body: nil, mutates: false)
        guard response.status == 204 || response.status == 200 || response.status == 404 else { throw Self.error(for: response, mutates: false) }
    }

    /// `GET /v5/pins/{id}?pin_metrics=true`: the Pin's lifetime impressions, saves, clicks and comments.
    package func metrics(_ post: MetricsRequest) async throws -> PostMetrics {
        let response = try await send(.GET, "/v5/pins/\(post.platformID)?pin_metrics=true", token: post.credentials.accessToken, body: nil, mutates: false)
        guard response.status == 200 else {
            if response.status == 404 { throw ProviderError.rejected(status: 404, message: "the Pin is no longer on Pinterest") }
            throw Self.error(for: response, mutates: false)
        }
        let lifetime = response.decode(PinterestPinMetrics.self)?.pinMetrics?.lifetimeMetrics ?? [:]
        var counts: [String: Int] = [:]
        for (theirs, ours) in [("impression", "views"), ("save", "saves"), ("pin_click", "clicks"), ("outbound_click", "link_clicks"), ("reaction", "likes"), ("comment", "replies")] {
            if let value = lifetime[theirs] { counts[ours] = value }
        }
        return PostMetrics(counts: counts)
    }

    // MARK: Plumbing

    private func tokenEndpoint() throws -> OAuth2TokenEndpoint {
        let app = try configuredApp()
        return OAuth2TokenEndpoint(http: http, url: app.api("/v5/oauth/token"), app: app, clientAuthentication: .basic)
    }

    private func configuredApp() throws -> PlatformConfiguration.OAuthApp {
        guard let app else {
            throw ProviderError.rejected(status: 0, message: "this installation has no Pinterest app; an administrator sets \(clientIDSetting)")
        }
        return app
    }

    private func send(_ method: HTTPMethod, _ path: String, token: String, body: Data?, mutates: Bool) async throws -> PlatformHTTP.Response {
        try await http.sendJSON(method, try configuredApp().api(path), bearer: token, body: body, mutates: mutates)
    }

    /// Pinterest's errors are `{code, message}`: 401 for a token that expired or was revoked, 403 for a
    /// missing scope or a board that is not the person's, 429 when a limit is used up (`Retry-After`,
    /// `x-ratelimit-reset`).
    static func error(for response: PlatformHTTP.Response, mutates: Bool) -> ProviderError {
        let problem = response.decode(PinterestError.self)
        let message = problem.map { "\($0.message) (code \($0.code))" } ?? response.summary
        switch response.status {
        case 401: return .tokenExpired(message: message)
        case 403: return .invalidCredentials(message: "Pinterest refused (\(message)); connect the account again granting Pins")
        default:
            let reset = ProviderError.retryTime(retryAfter: response.headers.first(name: "Retry-After") ?? response.headers.first(name: "x-ratelimit-reset"))
            return ProviderError.classify(status: response.status, message: message, mutates: mutates, retryAt: reset)
        }
    }
}

struct PinterestUser: Decodable {
    var id: String?
    var username: String
    var businessName: String?
    var profileImage: String?

    enum CodingKeys: String, CodingKey { case id, username, businessName = "business_name", profileImage = "profile_image" }
}

struct PinterestBoard: Decodable {
    var id: String
    var name: String
    var privacy: String?
}

struct PinterestPage<Item: Decodable>: Decodable {
    var items: [Item]
    var bookmark: String?
}

struct PinterestPin: Decodable {
    var id: String
    var description: String?
    var createdAt: String?

    enum CodingKeys: String, CodingKey { case id, description, createdAt = "created_at" }
}

struct PinterestPinMetrics: Decodable {
    var pinMetrics: Metrics?

    struct Metrics: Decodable {
        var lifetimeMetrics: [String: Int]?

        enum CodingKeys: String, CodingKey { case lifetimeMetrics = "lifetime_metrics" }
    }

    enum CodingKeys: String, CodingKey { case pinMetrics = "pin_metrics" }
}

struct PinterestError: Decodable {
    var code: Int
    var message: String
}
