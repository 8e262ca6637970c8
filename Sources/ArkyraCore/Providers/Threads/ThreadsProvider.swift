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
package struct ThreadsProvider: OAuthProvider {
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
    /// A carousel whose items are still processing: `items:ID,ID,…` until its own container exists.
    static let carouselItems = "items:"

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
        let credentials = try await longLived(
            "/access_token", [("grant_type", "th_exchange_token"), ("client_secret", app.clientSecret ?? ""), ("access_token", short.accessToken)]
        )
        let response = try await send(.GET, "/me", [("fields", "id,username,name,threads_profile_picture_url")], token: credentials.accessToken, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let profile = response.decode(ThreadsProfile.self) else {
            throw ProviderError.rejected(status: response.status, message: "the server did not answer like the Threads API")
        }
        return ConnectedAccount(
            account: ProviderAccount(id: profile.id, name: profile.name ?? profile.username, username: profile.username, avatarURL: profile.threadsProfilePictureURL),
            credentials: credentials
        )
    }

    /// A long-lived token renews itself: it is its own refresh token.
    package func refresh(_ credentials: ProviderCredentials) async throws -> ProviderCredentials {
        do {
            return try await longLived("/refresh_access_token", [("grant_type", "th_refresh_token"), ("access_token", credentials.refreshToken ?? credentials.accessToken)])
        } catch ProviderError.tokenExpired(let message) {
            throw ProviderError.invalidCredentials(message: "Threads no longer renews the token (\(message)); connect the account again")
        }
    }

    private func longLived(_ path: String, _ parameters: [(String, String)]) async throws -> ProviderCredentials {
        var request = HTTPClientRequest(url: try configuredApp().api(path) + "?" + GraphAPI.form(parameters))
        request.method = .GET
        let response = try await http.send(request, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let token = response.decode(GraphToken.self) else {
            throw ProviderError.rejected(status: response.status, message: "the server did not answer like the Threads API")
        }
        let expiresAt = token.expiresIn.map { Date().addingTimeInterval(TimeInterval($0)) }
        return ProviderCredentials(accessToken: token.accessToken, refreshToken: token.accessToken, expiresAt: expiresAt, instanceURL: nil)
    }

    // MARK: Publishing

    package func publish(_ post: PublishRequest) async throws -> PublishedPost {
        switch try await publishStep(post) {
        case .published(let published): return published
        case .processing: throw ProviderError.unavailable(message: "Threads is still processing the post's media")
        }
    }

    package func publishStep(_ post: PublishRequest) async throws -> PublishStep {
        guard let user = post.accountID else {
            throw ProviderError.rejected(status: 0, message: "the channel has no Threads user id; connect the account again")
        }
        guard let container = post.container?.id else {
            if post.media.count > 1 {
                var items: [String] = []
                for file in post.media { items.append(try await createContainer(post, user: user, file: file, carouselItem: true)) }
                return .processing(container: Self.carouselItems + items.joined(separator: ","), checkAfter: checkAfter(post))
            }
            let created = try await createContainer(post, user: user, file: post.media.first, carouselItem: false)
            // A text container is ready at once; a file is fetched and processed first.
            return post.media.isEmpty ? try await publishContainer(created, post, user: user) : .processing(container: created, checkAfter: checkAfter(post))
        }
        if container.hasPrefix(Self.carouselItems) {
            let items = container.dropFirst(Self.carouselItems.count).split(separator: ",").map(String.init)
            for item in items {
                switch try await status(of: item, post) {
                case .finished: continue
                case .processing: return .processing(container: container, checkAfter: checkAfter(post))
                case .published: return try await lostPublish(post, container: item)
                }
            }
            var parameters = [("media_type", "CAROUSEL"), ("children", items.joined(separator: ","))] + textParameters(post)
            parameters += post.replyTo.map { [("reply_to_id", $0)] } ?? []
            // Kept before it is published, so that a publish whose answer is lost is settled by its status
            // instead of a second carousel.
            return .processing(container: try await create(parameters, user: user, post), checkAfter: 2)
        }
        switch try await status(of: container, post) {
        case .finished: return try await publishContainer(container, post, user: user)
        case .processing: return .processing(container: container, checkAfter: checkAfter(post))
        case .published: return try await lostPublish(post, container: container)
        }
    }

    /// A container published by a call whose answer was lost: the post is among the account's.
    private func lostPublish(_ post: PublishRequest, container: String) async throws -> PublishStep {
        guard let found = try await findPublished(post) else {
            throw ProviderError.outcomeUnknown(message: "Threads published container \(container), but the post is not among the account's yet")
        }
        return .published(found)
    }

    /// Videos take longer to process than images.
    private func checkAfter(_ post: PublishRequest) -> TimeInterval {
        post.media.contains { $0.kind == .video } ? 30 : 10
    }

    private func textParameters(_ post: PublishRequest) -> [(String, String)] {
        post.content.isEmpty ? [] : [("text", post.content)]
    }

    /// A container for the post (or one carousel item of it); creating one publishes nothing, so a lost
    /// answer is retried like any call that changes nothing.
    private func createContainer(_ post: PublishRequest, user: String, file: PublishMedia?, carouselItem: Bool) async throws -> String {
        var parameters: [(String, String)] = []
        if let file {
            guard let storage = post.storage else { throw ProviderError.rejected(status: 0, message: "the media storage is not configured") }
            let url = storage.readURL(key: file.storageKey, lifetime: Self.mediaURLLifetime)
            parameters += file.kind == .video ? [("media_type", "VIDEO"), ("video_url", url)] : [("media_type", "IMAGE"), ("image_url", url)]
            if let alt = file.alt, !alt.isEmpty { parameters.append(("alt_text", alt)) }
        } else {
            parameters.append(("media_type", "TEXT"))
        }
        if carouselItem {
            parameters.append(("is_carousel_item", "true"))
        } else {
            parameters += textParameters(post)
            if let replyTo = post.replyTo { parameters.append(("reply_to_id", replyTo)) }
        }
        return try await create(parameters, user: user, post)
    }

    private func create(_ parameters: [(String, String)], user: String, _ post: PublishRequest) async throws -> String {
        let response = try await send(.POST, "/\(user)/threads", parameters, token: post.credentials.accessToken, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let created = response.decode(ThreadsID.self) else {
            throw ProviderError.rejected(status: response.status, message: "Threads created a container but its answer could not be read: \(response.summary)")
        }
        return created.id
    }

    private enum ContainerStatus { case finished, processing, published }

    /// `FINISHED`, `IN_PROGRESS` and `PUBLISHED` (a publish whose answer was lost) are for the caller; `ERROR`
    /// and `EXPIRED` end the post in words.
    private func status(of container: String, _ post: PublishRequest) async throws -> ContainerStatus {
        let response = try await send(.GET, "/\(container)", [("fields", "id,status,error_message")], token: post.credentials.accessToken, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let answer = response.decode(ThreadsContainer.self) else {
            throw ProviderError.rejected(status: response.status, message: "the server did not answer like the Threads API: \(response.summary)")
        }
        switch answer.status {
        case "FINISHED": return .finished
        case "IN_PROGRESS": return .processing
        case "PUBLISHED": return .published
        case "EXPIRED":
            throw ProviderError.rejected(status: 0, message: "Threads' container expired (they live a day) before it was published; schedule the post again")
        default:
            throw ProviderError.rejected(status: 0, message: "Threads could not process the media: \(Self.processingError(answer.errorMessage))")
        }
    }

    /// Publishes a finished container, then reads the post's permalink (a post without it is still published).
    private func publishContainer(_ container: String, _ post: PublishRequest, user: String) async throws -> PublishStep {
        let response = try await send(.POST, "/\(user)/threads_publish", [("creation_id", container)], token: post.credentials.accessToken, mutates: true)
        guard response.status == 200 else {
            let problem = GraphError.problem(in: response)
            if problem?.code == Self.mediaNotReady { return .processing(container: container, checkAfter: checkAfter(post)) }
            throw Self.error(for: response, mutates: true)
        }
        guard let published = response.decode(ThreadsID.self) else {
            throw ProviderError.outcomeUnknown(message: "Threads published the post but its answer could not be read: \(response.summary)")
        }
        return .published(PublishedPost(platformID: published.id, url: try? await permalink(of: published.id, token: post.credentials.accessToken)))
    }

    private func permalink(of id: String, token: String) async throws -> String? {
        let response = try await send(.GET, "/\(id)", [("fields", "id,permalink")], token: token, mutates: false)
        return response.status == 200 ? response.decode(ThreadsPost.self)?.permalink : nil
    }

    /// The account's threads (or, for a thread item, its replies) since the post was due, matched by text.
    package func findPublished(_ post: PublishRequest) async throws -> PublishedPost? {
        let since = Int(post.createdAt.timeIntervalSince1970) - 60
        let response = try await send(.GET, post.replyTo == nil ? "/me/threads" : "/me/replies",
                                      [("fields", "id,text,timestamp,permalink"), ("since", String(since)), ("limit", "100")],
                                      token: post.credentials.accessToken, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let page = response.decode(ThreadsPage.self) else {
            throw ProviderError.unavailable(message: "the server did not answer like the Threads API: \(response.summary)")
        }
        return page.data.first { ($0.text ?? "") == post.content }.map { PublishedPost(platformID: $0.id, url: $0.permalink) }
    }

    /// `DELETE /{media}`; a post already gone (error 100, subcode 33) counts as deleted.
    package func delete(_ post: DeleteRequest) async throws {
        let response = try await send(.DELETE, "/\(post.platformID)", [], token: post.credentials.accessToken, mutates: false)
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

    /// A Graph call under the API's version.
    private func send(_ method: HTTPMethod, _ path: String, _ parameters: [(String, String)], token: String, mutates: Bool) async throws -> PlatformHTTP.Response {
        try await http.send(GraphAPI.request(method, try configuredApp().api("/\(Self.version)\(path)"), parameters, token: token), mutates: mutates)
    }

    /// Publishing a container that is still processing.
    static let mediaNotReady = 9007

    static func error(for response: PlatformHTTP.Response, mutates: Bool) -> ProviderError {
        GraphError.classify(response, mutates: mutates, platform: "Threads")
    }

    /// The processing error codes Threads documents, in words.
    static func processingError(_ code: String?) -> String {
        switch code {
        case "FAILED_DOWNLOADING_VIDEO": "it could not download the file (its URL must be reachable from the internet)"
        case "FAILED_PROCESSING_AUDIO": "the audio could not be processed"
        case "FAILED_PROCESSING_VIDEO": "the video could not be processed"
        case "INVALID_ASPEC_RATIO": "the aspect ratio is not one Threads takes"
        case "INVALID_BIT_RATE": "the bit rate is not one Threads takes"
        case "INVALID_DURATION": "the video is too long or too short"
        case "INVALID_FRAME_RATE": "the frame rate is not one Threads takes"
        case "INVALID_AUDIO_CHANNELS", "INVALID_AUDIO_CHANNEL_LAYOUT": "the audio channels are not ones Threads takes"
        case let code?: code
        case nil: "no reason given"
        }
    }
}

struct ThreadsProfile: Decodable {
    var id: String
    var username: String
    var name: String?
    var threadsProfilePictureURL: String?

    enum CodingKeys: String, CodingKey { case id, username, name, threadsProfilePictureURL = "threads_profile_picture_url" }
}

struct ThreadsID: Decodable {
    var id: String
}

struct ThreadsContainer: Decodable {
    var id: String?
    var status: String
    var errorMessage: String?

    enum CodingKeys: String, CodingKey { case id, status, errorMessage = "error_message" }
}

struct ThreadsPost: Decodable {
    var id: String
    var text: String?
    var permalink: String?
}

struct ThreadsPage: Decodable {
    var data: [ThreadsPost]
}
