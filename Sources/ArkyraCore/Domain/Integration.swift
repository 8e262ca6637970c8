import Foundation

/// A connected channel: one account on one platform, owned by an organization.
public struct Integration: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        case connected
        /// The platform refused the token and refreshing it failed: a person must reconnect.
        case refreshNeeded = "refresh_needed"
        case disabled
    }

    public var id: UUID
    public var organizationID: UUID
    public var provider: String
    /// The account's id on the platform.
    public var externalID: String
    public var name: String
    public var username: String
    public var avatarURL: String?
    /// The server of federated platforms (Mastodon), nil elsewhere.
    public var instanceURL: String?
    public var state: State
    public var createdAt: Date
    /// The customer (client) the channel belongs to, if any.
    public var customerID: UUID?
    /// When the channel likes to post: minutes after midnight UTC, ascending.
    public var postingTimes: [Int]

    public init(id: UUID, organizationID: UUID, provider: String, externalID: String, name: String, username: String,
                avatarURL: String?, instanceURL: String?, state: State, createdAt: Date, customerID: UUID? = nil, postingTimes: [Int] = [120, 400, 700]) {
        self.id = id
        self.organizationID = organizationID
        self.provider = provider
        self.externalID = externalID
        self.name = name
        self.username = username
        self.avatarURL = avatarURL
        self.instanceURL = instanceURL
        self.state = state
        self.createdAt = createdAt
        self.customerID = customerID
        self.postingTimes = postingTimes
    }
}
