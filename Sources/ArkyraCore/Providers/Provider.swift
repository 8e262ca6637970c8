import Foundation

/// A social platform ARKYRA publishes to. One implementation per platform, in a folder of its own.
public protocol Provider: Sendable {
    /// The identifier stored in `integrations.provider` (`mastodon`, `bluesky`, ...).
    var identifier: String { get }

    /// Whether the platform honours idempotency keys, so a publish whose outcome is unknown may be sent again
    /// with the same key without risking a second post.
    var supportsIdempotencyKeys: Bool { get }

    /// Whether a channel names its server (federated platforms).
    var requiresInstanceURL: Bool { get }

    /// The longest post the platform takes, in its own counting (see ``characterCount(of:)``).
    var maximumCharacters: Int { get }

    /// The length of `text` as the platform counts it (links and mentions often count differently).
    func characterCount(of text: String) -> Int

    /// Checks the credentials with the platform and returns the account they belong to.
    /// - Throws: ``ProviderError``.
    func connect(_ credentials: ProviderCredentials) async throws -> ProviderAccount

    /// Publishes one post.
    /// - Throws: ``ProviderError``; `.outcomeUnknown` when the platform may have accepted the post.
    func publish(_ request: PublishRequest) async throws -> PublishedPost
}

/// What a provider needs to act as an account.
public struct ProviderCredentials: Sendable {
    public var accessToken: String
    /// The server of federated platforms.
    public var instanceURL: URL?

    public init(accessToken: String, instanceURL: URL?) {
        self.accessToken = accessToken
        self.instanceURL = instanceURL
    }
}

/// The platform account behind a set of credentials.
public struct ProviderAccount: Sendable, Equatable {
    public var id: String
    public var name: String
    public var username: String
    public var avatarURL: String?

    public init(id: String, name: String, username: String, avatarURL: String?) {
        self.id = id
        self.name = name
        self.username = username
        self.avatarURL = avatarURL
    }
}

/// One post to publish.
public struct PublishRequest: Sendable {
    public var credentials: ProviderCredentials
    public var content: String
    /// Stable per post and channel, so a platform that honours idempotency keys never publishes it twice.
    public var idempotencyKey: String
    /// The platform id of the post this one replies to (the item before it in a thread).
    public var replyTo: String?

    public init(credentials: ProviderCredentials, content: String, idempotencyKey: String, replyTo: String? = nil) {
        self.credentials = credentials
        self.content = content
        self.idempotencyKey = idempotencyKey
        self.replyTo = replyTo
    }
}

/// Where the platform put a published post.
public struct PublishedPost: Sendable, Equatable {
    public var platformID: String
    public var url: String?

    public init(platformID: String, url: String?) {
        self.platformID = platformID
        self.url = url
    }
}

/// How a platform call failed; decides whether the caller retries, waits, asks a person or gives up.
public enum ProviderError: Error, Equatable, CustomStringConvertible {
    /// The token is invalid, expired or revoked (401/403).
    case invalidCredentials(message: String)
    /// Too many requests; retry at `retryAt` when the platform said when.
    case rateLimited(retryAt: Date?, message: String)
    /// The platform refused the content or request (4xx); retrying the same request cannot help.
    case rejected(status: Int, message: String)
    /// The platform could not be reached or failed before it could have accepted anything; safe to retry.
    case unavailable(message: String)
    /// The request may have been accepted (timeout or reset after sending, 5xx on a non-idempotent call).
    case outcomeUnknown(message: String)

    public var description: String {
        switch self {
        case .invalidCredentials(let message): return "invalid credentials: \(message)"
        case .rateLimited(let retryAt, let message): return "rate limited until \(retryAt.map { "\($0)" } ?? "unknown"): \(message)"
        case .rejected(let status, let message): return "rejected (\(status)): \(message)"
        case .unavailable(let message): return "unavailable: \(message)"
        case .outcomeUnknown(let message): return "outcome unknown: \(message)"
        }
    }
}
