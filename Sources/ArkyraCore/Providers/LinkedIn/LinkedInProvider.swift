import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// LinkedIn, posting as a member: OAuth 2.0 (3-legged; the client secret goes in the token request, no
/// PKCE) with the `openid profile w_member_social` scopes; access tokens live 60 days, and apps LinkedIn
/// granted programmatic refresh get a refresh token that lives a year. The profile comes from OpenID
/// Connect's `/v2/userinfo`; posts go to the versioned Posts API (`POST /rest/posts`, the new share's URN
/// in `x-restli-id`), and the items after the first in a thread become comments on the first. LinkedIn
/// takes no idempotency key and its posts cannot be listed without a partner scope, so a post whose
/// outcome is unknown is left for a person to check.
package struct LinkedInProvider: OAuthProvider {
    /// Whom posts are by: the member who connected, or a company Page they administer (``LinkedInPageProvider``).
    package enum Author: Sendable {
        case member, organization
    }

    package var identifier: String { author == .member ? "linkedin" : "linkedin-page" }
    package var displayName: String { author == .member ? "LinkedIn" : "LinkedIn Page" }
    package let connectMethod = ConnectMethod.oauth2
    package let requiresInstanceURL = false
    package let supportsIdempotencyKeys = false
    package let maximumCharacters = LinkedInText.maximum
    /// LinkedIn's limits are daily, reset at midnight UTC; its 429s carry no reset (see ``nextMidnightUTC(after:)``).
    package let rateLimitWindow: TimeInterval = 86_400
    /// Up to 20 images (JPG, GIF, PNG; LinkedIn limits them to 36,152,320 pixels, ARKYRA to 20 MB). (Video goes
    /// through LinkedIn's multipart video upload, which ARKYRA does not do yet.)
    package let mediaRules = MediaRules(maximumItems: 20, kinds: [.image], maximumImageBytes: 20 * 1024 * 1024)

    package var scopes: [String] {
        author == .member ? ["openid", "profile", "w_member_social"] : ["openid", "profile", "r_organization_admin", "w_organization_social", "r_organization_social"]
    }
    package let clientIDSetting = "ARKYRA_LINKEDIN_CLIENT_ID"
    package let usesPKCE = false
    package let app: PlatformConfiguration.OAuthApp?
    let http: PlatformHTTP
    let author: Author
    /// The Posts API version asked for (`LinkedIn-Version`, YYYYMM); LinkedIn serves each for a year.
    static let apiVersion = "202601"

    package init(http: PlatformHTTP, app: PlatformConfiguration.OAuthApp?, author: Author = .member) {
        self.http = http
        self.app = app
        self.author = author
    }

    /// The URN posts and comments are by, for the channel's account id (`urn:li:person:…`, `urn:li:organization:…`).
    func authorURN(_ accountID: String) -> String {
        author == .member ? "urn:li:person:\(accountID)" : "urn:li:organization:\(accountID)"
    }

    package func characterCount(of text: String) -> Int { LinkedInText.count(text) }
    package let countingRule: String? = "LinkedIn counts each of \\ | { } @ [ ] ( ) < > # * _ ~ twice (they are sent escaped), and most emoji as 2"

    package func connect(_ request: ConnectRequest) async throws -> ConnectedAccount {
        throw ProviderError.rejected(status: 0, message: "LinkedIn accounts connect through LinkedIn's consent page, not with a token")
    }

    package func exchange(code: String, verifier: String, redirectURI: String) async throws -> ConnectedAccount {
        let tokens = try await tokenEndpoint().exchange(code: code, verifier: nil, redirectURI: redirectURI)
        let credentials = ProviderCredentials(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt, instanceURL: nil)
        let response = try await send(.GET, "/v2/userinfo", token: credentials.accessToken, body: nil, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let profile = response.decode(LinkedInUserInfo.self) else {
            throw ProviderError.rejected(status: response.status, message: "the server did not answer like LinkedIn's API")
        }
        // OpenID Connect gives no vanity name without a partner scope; the name stands in for it.
        return ConnectedAccount(
            account: ProviderAccount(id: profile.sub, name: profile.name, username: profile.name, avatarURL: profile.picture),
            credentials: credentials
        )
    }

    package func refresh(_ credentials: ProviderCredentials) async throws -> ProviderCredentials {
        try await tokenEndpoint().refreshed(credentials, missing: "LinkedIn gave no refresh token to this app; connect the account again every 60 days")
    }

    package func publish(_ post: PublishRequest) async throws -> PublishedPost {
        guard let accountID = post.accountID else {
            throw ProviderError.rejected(status: 0, message: "the channel has no LinkedIn member id; connect the account again")
        }
        let author = authorURN(accountID)
        if let replyTo = post.replyTo { return try await comment(post.content, on: Self.commentedPost(replyTo), as: author, token: post.credentials.accessToken) }
        var fields: [String: Any] = [
            "author": author, "commentary": LinkedInText.escaped(post.content), "visibility": "PUBLIC", "lifecycleState": "PUBLISHED",
            "distribution": ["feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []],
            "isReshareDisabledByAuthor": false,
        ]
        if !post.media.isEmpty {
            var images: [[String: Any]] = []
            for file in post.media {
                var image: [String: Any] = ["id": try await uploadImage(file, of: post, owner: author)]
                if let alt = file.alt, !alt.isEmpty { image["altText"] = String(alt.prefix(4086)) }
                images.append(image)
            }
            fields["content"] = images.count == 1 ? ["media": images[0]] : ["multiImage": ["images": images]]
        }
        let body = try JSONSerialization.data(withJSONObject: fields, options: [.withoutEscapingSlashes, .sortedKeys])
        let response = try await send(.POST, "/rest/posts", token: post.credentials.accessToken, body: body, mutates: true)
        guard response.status == 201 else { throw Self.error(for: response, mutates: true) }
        guard let urn = response.headers.first(name: "x-restli-id"), !urn.isEmpty else {
            throw ProviderError.outcomeUnknown(message: "LinkedIn accepted the post but named no id: \(response.summary)")
        }
        return PublishedPost(platformID: urn, url: "https://www.linkedin.com/feed/update/\(urn)/")
    }

    package let deletesPosts = true

    /// Images API: `initializeUpload` registers the image for the author and answers where to PUT its bytes.
    /// An image no post uses changes nothing anyone sees, so a retry registers another.
    private func uploadImage(_ file: PublishMedia, of post: PublishRequest, owner: String) async throws -> String {
        guard let stored = file.stored(as: ["image/jpeg", "image/png", "image/gif"]) else {
            throw ProviderError.rejected(status: 0, message: "LinkedIn takes JPG, GIF and PNG images; \(file.fileName) has no such copy yet (is its processing finished?)")
        }
        var copy = file
        (copy.storageKey, copy.contentType) = stored
        let body = try JSONSerialization.data(withJSONObject: ["initializeUploadRequest": ["owner": owner]], options: [.withoutEscapingSlashes])
        let response = try await send(.POST, "/rest/images?action=initializeUpload", token: post.credentials.accessToken, body: body, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let registered = response.decode(LinkedInImageUpload.self)?.value else {
            throw ProviderError.unavailable(message: "LinkedIn's image registration could not be read: \(response.summary)")
        }
        var request = HTTPClientRequest(url: registered.uploadUrl)
        request.method = .PUT
        request.headers.add(name: "Authorization", value: "Bearer \(post.credentials.accessToken)")
        request.headers.add(name: "Content-Type", value: copy.contentType)
        request.body = .bytes(try await post.contents(of: copy, maximumBytes: mediaRules.maximumImageBytes))
        let uploaded = try await http.send(request, mutates: false)
        guard (200..<300).contains(uploaded.status) else { throw Self.error(for: uploaded, mutates: false) }
        return registered.image
    }

    /// A Page's posts' counts; a member's need `r_member_social`, which LinkedIn grants to few partners.
    package var readsMetrics: Bool { author == .organization }

    /// `GET /rest/socialActions/{urn}`: reactions (as likes) and comments.
    package func metrics(_ post: MetricsRequest) async throws -> PostMetrics {
        guard author == .organization else { throw ProviderError.rejected(status: 0, message: "LinkedIn lets only its partners read members' counts") }
        let response = try await send(.GET, "/rest/socialActions/\(Self.pathEncoded(Self.commentedPost(post.platformID)))", token: post.credentials.accessToken,
                                      body: nil, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let actions = response.decode(LinkedInSocialActions.self) else {
            throw ProviderError.unavailable(message: "the server did not answer like LinkedIn's API: \(response.summary)")
        }
        return PostMetrics(counts: ["likes": actions.likesSummary?.totalLikes ?? 0, "replies": actions.commentsSummary?.aggregatedTotalComments ?? 0])
    }

    /// `DELETE /rest/posts/{urn}`, or for a thread item `DELETE /rest/socialActions/{post}/comments/{id}`;
    /// a post already gone (404) counts as deleted.
    package func delete(_ post: DeleteRequest) async throws {
        let path: String
        if post.platformID.hasPrefix("urn:li:comment:(") {
            guard let accountID = post.accountID, let comma = post.platformID.lastIndex(of: ",") else {
                throw ProviderError.rejected(status: 0, message: "\(post.platformID) is not a LinkedIn comment URN")
            }
            let commentID = post.platformID[post.platformID.index(after: comma)...].dropLast()
            let actor = Self.pathEncoded(authorURN(accountID))
            path = "/rest/socialActions/\(Self.pathEncoded(Self.commentedPost(post.platformID)))/comments/\(commentID)?actor=\(actor)"
        } else {
            path = "/rest/posts/\(Self.pathEncoded(post.platformID))"
        }
        let response = try await send(.DELETE, path, token: post.credentials.accessToken, body: nil, mutates: false)
        guard response.status == 204 || response.status == 200 || response.status == 404 else { throw Self.error(for: response, mutates: false) }
    }

    private func comment(_ text: String, on object: String, as actor: String, token: String) async throws -> PublishedPost {
        let body = try JSONSerialization.data(withJSONObject: [
            "actor": actor, "object": object, "message": ["text": LinkedInText.escaped(text)],
        ] as [String: Any], options: [.withoutEscapingSlashes, .sortedKeys])
        let response = try await send(.POST, "/rest/socialActions/\(Self.pathEncoded(object))/comments", token: token, body: body, mutates: true)
        guard response.status == 201 || response.status == 200 else { throw Self.error(for: response, mutates: true) }
        guard let created = response.decode(LinkedInComment.self), let urn = created.commentUrn ?? response.headers.first(name: "x-restli-id") else {
            throw ProviderError.outcomeUnknown(message: "LinkedIn accepted the comment but its answer could not be read: \(response.summary)")
        }
        return PublishedPost(platformID: urn, url: "https://www.linkedin.com/feed/update/\(object)/?commentUrn=\(Self.pathEncoded(urn))")
    }

    /// The post a thread item comments on: the item before it, or, when that was itself a comment
    /// (`urn:li:comment:(urn:li:share:1,2)`), the post that comment is on, so every item lands under the first.
    static func commentedPost(_ replyTo: String) -> String {
        guard replyTo.hasPrefix("urn:li:comment:("), let comma = replyTo.lastIndex(of: ",") else { return replyTo }
        return String(replyTo[replyTo.index(replyTo.startIndex, offsetBy: "urn:li:comment:(".count)..<comma])
    }

    private func tokenEndpoint() throws -> OAuth2TokenEndpoint {
        let app = try configuredApp()
        let url = app.authorizeURL.deletingLastPathComponent().appendingPathComponent("accessToken").absoluteString
        return OAuth2TokenEndpoint(http: http, url: url, app: app, clientAuthentication: .requestBody)
    }

    private func configuredApp() throws -> PlatformConfiguration.OAuthApp {
        guard let app else {
            throw ProviderError.rejected(status: 0, message: "this installation has no LinkedIn app; an administrator sets \(clientIDSetting)")
        }
        return app
    }

    func send(_ method: HTTPMethod, _ path: String, token: String, body: Data?, mutates: Bool) async throws -> PlatformHTTP.Response {
        var request = HTTPClientRequest(url: try configuredApp().api(path))
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        if path.hasPrefix("/rest/") {
            request.headers.add(name: "LinkedIn-Version", value: Self.apiVersion)
            request.headers.add(name: "X-Restli-Protocol-Version", value: "2.0.0")
        }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        return try await http.send(request, mutates: mutates)
    }

    /// A URN as one path segment (`urn%3Ali%3Ashare%3A1`).
    static func pathEncoded(_ urn: String) -> String {
        urn.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? urn
    }

    /// LinkedIn's errors are `{status, serviceErrorCode, code, message}` (422s add `errorDetails`): 401 for an
    /// access token that expired or was revoked, 403 for a missing permission, 422 for a post it refuses
    /// (a duplicate, a field it rejects), 429 when a daily limit is used up (no reset header: limits reset at
    /// midnight UTC).
    static func error(for response: PlatformHTTP.Response, mutates: Bool, now: Date = Date()) -> ProviderError {
        let problem = response.decode(LinkedInProblem.self)
        let detail = problem?.errorDetails?.inputErrors?.first?.description
        let message = problem.map { [$0.code, detail ?? $0.message].compactMap { $0 }.joined(separator: ": ") } ?? response.summary
        switch response.status {
        case 401: return .tokenExpired(message: message)
        case 403: return .invalidCredentials(message: "LinkedIn refused the permission (\(message)); connect the account again granting posting")
        case 422 where detail?.hasPrefix("Content is a duplicate") == true:
            return .rejected(status: 422, message: "LinkedIn refuses the same text twice from one member (\(detail ?? message))")
        default:
            return ProviderError.classify(status: response.status, message: message, mutates: mutates, retryAt: nextMidnightUTC(after: now))
        }
    }

    /// When LinkedIn's daily limits reset.
    package static func nextMidnightUTC(after date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.nextDate(after: date, matching: DateComponents(hour: 0, minute: 0, second: 0), matchingPolicy: .nextTime) ?? date.addingTimeInterval(86_400)
    }
}

struct LinkedInUserInfo: Decodable {
    var sub: String
    var name: String
    var picture: String?
}

struct LinkedInComment: Decodable {
    var commentUrn: String?
}

struct LinkedInProblem: Decodable {
    var status: Int?
    var code: String?
    var message: String?
    var errorDetails: Details?

    struct Details: Decodable {
        var inputErrors: [InputError]?
    }

    struct InputError: Decodable {
        var description: String?
        var code: String?
    }
}

struct LinkedInSocialActions: Decodable {
    var likesSummary: Likes?
    var commentsSummary: Comments?

    struct Likes: Decodable { var totalLikes: Int }
    struct Comments: Decodable { var aggregatedTotalComments: Int }
}

struct LinkedInImageUpload: Decodable {
    var value: Value

    struct Value: Decodable {
        var uploadUrl: String
        var image: String
    }
}
