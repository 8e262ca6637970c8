import Foundation

/// A connected channel: one account on one platform, owned by an organization.
package struct Integration: Sendable, Codable, Equatable {
    package enum State: String, Sendable, Codable {
        case connected
        /// The platform refused the token and refreshing it failed: a person must reconnect.
        case refreshNeeded = "refresh_needed"
        case disabled
    }

    package var id: UUID
    package var organizationID: UUID
    package var provider: String
    /// The account's id on the platform.
    package var externalID: String
    package var name: String
    package var username: String
    package var avatarURL: String?
    /// The server of federated platforms (Mastodon), nil elsewhere.
    package var instanceURL: String?
    package var state: State
    package var createdAt: Date
    /// The customer (client) the channel belongs to, if any.
    package var customerID: UUID?
    /// When the channel likes to post: minutes after midnight UTC, ascending.
    package var postingTimes: [Int]

    package init(id: UUID, organizationID: UUID, provider: String, externalID: String, name: String, username: String,
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
