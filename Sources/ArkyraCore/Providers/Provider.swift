import Foundation
import NIOCore

/// A social platform ARKYRA publishes to. One implementation per platform, in a folder of its own.
package protocol Provider: Sendable {
    /// The identifier stored in `integrations.provider` (`mastodon`, `bluesky`, ...).
    var identifier: String { get }

    /// The platform's name as people write it (`Mastodon`, `LinkedIn`, `X`).
    var displayName: String { get }

    /// What a person gives to connect an account.
    var connectMethod: ConnectMethod { get }

    /// Whether the platform honours idempotency keys, so a publish whose outcome is unknown may be sent again
    /// with the same key without risking a second post.
    var supportsIdempotencyKeys: Bool { get }

    /// Whether ``findPublished(_:)`` can tell if a post whose outcome is unknown is on the platform.
    var findsPublishedPosts: Bool { get }

    /// Whether a channel must name its server (federated platforms); see also ``defaultInstanceURL``.
    var requiresInstanceURL: Bool { get }

    /// The server used when a channel names none (nil: the channel must name one, or the platform has one).
    var defaultInstanceURL: URL? { get }

    /// The longest post the platform takes, in its own counting (see ``characterCount(of:)``).
    var maximumCharacters: Int { get }

    /// The platform's documented rate-limit window: how long to wait after a 429 that names no reset (or a
    /// reset that has passed).
    var rateLimitWindow: TimeInterval { get }

    /// The length of `text` as the platform counts it (links and mentions often count differently).
    func characterCount(of text: String) -> Int

    /// How the platform's counting differs from counting characters, for the message of a post that is too
    /// long (nil: it does not, in a way a person would notice).
    var countingRule: String? { get }

    /// Whether a post's later items can follow it as replies or comments (a thread).
    var takesThreads: Bool { get }

    /// What breaks the platform's rules for a post's text besides its length (Threads: more than 5 links), in
    /// words naming the rule, or nil (checked at scheduling time).
    func textProblem(_ text: String) -> String?

    /// The files a post may carry (checked at scheduling time).
    var mediaRules: MediaRules { get }

    /// Checks what a person gave with the platform and returns the account and the credentials to keep.
    /// - Throws: ``ProviderError``.
    func connect(_ request: ConnectRequest) async throws -> ConnectedAccount

    /// How long before it expires an access token is refreshed (platforms whose tokens renew themselves only
    /// while they are valid refresh well ahead).
    var tokenRefreshMargin: TimeInterval { get }

    /// Exchanges expired credentials for new ones (the refresh token is often replaced too).
    /// - Throws: ``ProviderError``: `.invalidCredentials` or `.tokenExpired` when the refresh itself was
    ///   refused (a person must reconnect); `.unavailable` and friends when it could not be done right now.
    func refresh(_ credentials: ProviderCredentials) async throws -> ProviderCredentials

    /// Publishes one post.
    /// - Throws: ``ProviderError``; `.outcomeUnknown` when the platform may have accepted the post,
    ///   `.tokenExpired` when refreshing the credentials may help.
    func publish(_ request: PublishRequest) async throws -> PublishedPost

    /// One step of publishing a post. Platforms that publish in steps (Threads, Instagram: create a
    /// container, wait while the platform processes its media, publish it) answer `.processing` with the
    /// container, and the worker comes back after `checkAfter` with it in ``PublishRequest/container`` — a
    /// queue job, never a handler that sleeps. Others publish at once (the default: ``publish(_:)``).
    /// - Throws: as ``publish(_:)``.
    func publishStep(_ request: PublishRequest) async throws -> PublishStep

    /// Looks on the platform for the post `request` would create (after an unknown outcome); nil when it is
    /// not there.
    /// - Throws: ``ProviderError``.
    func findPublished(_ request: PublishRequest) async throws -> PublishedPost?

    /// Whether ``metrics(_:)`` reads a published post's counts.
    var readsMetrics: Bool { get }

    /// A published post's counts as the platform reports them now.
    /// - Throws: ``ProviderError``; `.tokenExpired` when refreshing the credentials may help.
    func metrics(_ request: MetricsRequest) async throws -> PostMetrics

    /// Whether ``delete(_:)`` removes published posts from the platform.
    var deletesPosts: Bool { get }

    /// Removes a published post from the platform. A post that is already gone is not an error.
    /// - Throws: ``ProviderError``; `.tokenExpired` when refreshing the credentials may help.
    func delete(_ request: DeleteRequest) async throws
}

extension Provider {
    package var countingRule: String? { nil }
    package func textProblem(_ text: String) -> String? { nil }
    package var takesThreads: Bool { true }
    package var mediaRules: MediaRules { .none }
    package var findsPublishedPosts: Bool { false }
    package var defaultInstanceURL: URL? { nil }
    package var tokenRefreshMargin: TimeInterval { 120 }

    package func refresh(_ credentials: ProviderCredentials) async throws -> ProviderCredentials {
        throw ProviderError.invalidCredentials(message: "\(identifier) tokens cannot be refreshed; connect the account again")
    }

    package func findPublished(_ request: PublishRequest) async throws -> PublishedPost? { nil }

    package func publishStep(_ request: PublishRequest) async throws -> PublishStep { .published(try await publish(request)) }

    package var deletesPosts: Bool { false }

    package var readsMetrics: Bool { false }

    package func metrics(_ request: MetricsRequest) async throws -> PostMetrics {
        throw ProviderError.rejected(status: 0, message: "ARKYRA does not read \(displayName)'s counts yet")
    }

    package func delete(_ request: DeleteRequest) async throws {
        throw ProviderError.rejected(status: 0, message: "\(displayName) posts cannot be deleted through its API")
    }
}

/// Where publishing a post stands after one step.
package enum PublishStep: Sendable, Equatable {
    case published(PublishedPost)
    /// The platform is processing the container; check it again after `checkAfter` seconds.
    case processing(container: String, checkAfter: TimeInterval)
}

/// The container a platform that publishes in steps made for a post, and since when it exists.
package struct PublishContainer: Sendable, Equatable {
    package var id: String
    package var since: Date

    package init(id: String, since: Date) {
        self.id = id
        self.since = since
    }
}

/// A published post to remove from its platform.
package struct DeleteRequest: Sendable {
    package var credentials: ProviderCredentials
    /// What ``Provider/publish(_:)`` returned as the post's platform id.
    package var platformID: String
    /// The platform's id of the channel's account (`integrations.external_id`).
    package var accountID: String?

    package init(credentials: ProviderCredentials, platformID: String, accountID: String?) {
        self.credentials = credentials
        self.platformID = platformID
        self.accountID = accountID
    }
}

/// How a person connects an account of a platform.
package enum ConnectMethod: String, Sendable {
    /// An access token made in the platform's settings (Mastodon: Preferences → Development).
    case accessToken = "access_token"
    /// An account identifier and an app password (Bluesky: Settings → App passwords).
    case appPassword = "app_password"
    /// The platform's consent page (OAuth 2.0 authorization code with PKCE); see ``OAuthProvider``.
    case oauth2 = "oauth2"
    /// A code the person sends in the chat the installation's bot was added to (Telegram).
    case chatCode = "chat_code"
}

/// What a person gave to connect an account.
package struct ConnectRequest: Sendable {
    package var accessToken: String?
    package var identifier: String?
    package var password: String?
    package var instanceURL: URL?

    package init(accessToken: String? = nil, identifier: String? = nil, password: String? = nil, instanceURL: URL?) {
        self.accessToken = accessToken
        self.identifier = identifier
        self.password = password
        self.instanceURL = instanceURL
    }
}

/// An account that was just connected, with the credentials to publish as it.
package struct ConnectedAccount: Sendable {
    package var account: ProviderAccount
    package var credentials: ProviderCredentials

    package init(account: ProviderAccount, credentials: ProviderCredentials) {
        self.account = account
        self.credentials = credentials
    }
}

/// What a provider needs to act as an account.
package struct ProviderCredentials: Sendable, Equatable {
    package var accessToken: String
    /// Exchanged for a new access token when it expires (platforms with expiring tokens).
    package var refreshToken: String?
    /// When the access token stops working, when the platform says.
    package var expiresAt: Date?
    /// The server of federated platforms.
    package var instanceURL: URL?

    package init(accessToken: String, refreshToken: String? = nil, expiresAt: Date? = nil, instanceURL: URL?) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.instanceURL = instanceURL
    }
}

/// The platform account behind a set of credentials.
package struct ProviderAccount: Sendable, Equatable, Codable {
    package var id: String
    package var name: String
    package var username: String
    package var avatarURL: String?

    package init(id: String, name: String, username: String, avatarURL: String?) {
        self.id = id
        self.name = name
        self.username = username
        self.avatarURL = avatarURL
    }
}

/// One post to publish.
package struct PublishRequest: Sendable {
    package var credentials: ProviderCredentials
    package var content: String
    /// Stable per post and channel, so a platform that honours idempotency keys never publishes it twice.
    package var idempotencyKey: String
    /// The platform id of the post this one replies to (the item before it in a thread).
    package var replyTo: String?
    /// The post's creation time as the platform records it, the same on every attempt (its scheduled time),
    /// so ``Provider/findPublished(_:)`` can recognise it.
    package var createdAt: Date
    /// The platform's id of the channel's account (`integrations.external_id`), for platforms whose calls
    /// name the author (LinkedIn's `urn:li:person:{id}`).
    package var accountID: String?
    /// The files the post carries, in order, and where to read them.
    package var media: [PublishMedia] = []
    package var storage: (any MediaStorage)?
    /// The container an earlier step made (platforms that publish in steps; see ``Provider/publishStep(_:)``).
    package var container: PublishContainer?

    package init(credentials: ProviderCredentials, content: String, idempotencyKey: String, replyTo: String? = nil, createdAt: Date,
                 accountID: String? = nil) {
        self.credentials = credentials
        self.accountID = accountID
        self.content = content
        self.idempotencyKey = idempotencyKey
        self.replyTo = replyTo
        self.createdAt = createdAt
    }
}

/// A file a post carries, as a provider uploads it.
package struct PublishMedia: Sendable, Equatable {
    package var storageKey: String
    package var contentType: String
    package var kind: MediaKind
    package var sizeBytes: Int
    package var fileName: String
    package var alt: String?
    package var width: Int?
    package var height: Int?
    /// The files processing derived from it (a JPEG beside other images, an H.264 MP4 beside other videos).
    package var derived: [Derived] = []

    /// A file derived from the original, as stored.
    package struct Derived: Sendable, Equatable {
        package var storageKey: String
        package var contentType: String

        package init(storageKey: String, contentType: String) {
            self.storageKey = storageKey
            self.contentType = contentType
        }
    }

    /// The stored file of one of `types`: the original when it is one, else a derived one; nil when neither is.
    package func stored(as types: Set<String>) -> (storageKey: String, contentType: String)? {
        if types.contains(contentType) { return (storageKey, contentType) }
        return derived.first { types.contains($0.contentType) }.map { ($0.storageKey, $0.contentType) }
    }

    package init(storageKey: String, contentType: String, kind: MediaKind, sizeBytes: Int, fileName: String, alt: String?, width: Int?, height: Int?) {
        self.storageKey = storageKey
        self.contentType = contentType
        self.kind = kind
        self.sizeBytes = sizeBytes
        self.fileName = fileName
        self.alt = alt
        self.width = width
        self.height = height
    }
}

extension PublishRequest {
    /// The bytes of one of the post's files.
    /// - Throws: ``ProviderError/unavailable(message:)`` when the storage cannot give them (retried), `.rejected`
    ///   when the file is gone or larger than `maximumBytes`.
    package func contents(of file: PublishMedia, maximumBytes: Int) async throws -> ByteBuffer {
        guard let storage else { throw ProviderError.rejected(status: 0, message: "the media storage is not configured") }
        do {
            return try await storage.contents(of: file.storageKey, maximumBytes: maximumBytes)
        } catch let error as StorageError {
            switch error {
            case .notFound, .refused(413, _, _): throw ProviderError.rejected(status: 0, message: "the file \(file.fileName) \(error)")
            default: throw ProviderError.unavailable(message: "the media storage: \(error)")
            }
        }
    }
}

/// Where the platform put a published post.
package struct PublishedPost: Sendable, Equatable {
    package var platformID: String
    package var url: String?

    package init(platformID: String, url: String?) {
        self.platformID = platformID
        self.url = url
    }
}
