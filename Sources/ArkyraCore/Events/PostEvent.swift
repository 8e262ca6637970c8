import Foundation

/// A change of a post's state, as browsers receive it over the organization's event stream.
package struct PostEvent: Sendable, Codable, Equatable {
    /// `post.published`, `post.failed`, `post.unconfirmed` or `post.rescheduled`.
    package var type: String
    package var organizationID: UUID
    package var postID: UUID
    package var state: PostState
    package var message: String?
    package var platformURL: String?
    package var at: Date

    package init(type: String, organizationID: UUID, postID: UUID, state: PostState, message: String? = nil, platformURL: String? = nil, at: Date = Date()) {
        self.type = type
        self.organizationID = organizationID
        self.postID = postID
        self.state = state
        self.message = message
        self.platformURL = platformURL
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case type, state, message, at
        case organizationID = "organization_id"
        case postID = "post_id"
        case platformURL = "platform_url"
    }
}

/// Publishes post and media events on Redis pub/sub, one channel per organization; every API instance relays its
/// organization's channel to the browsers connected to it.
package struct EventPublisher: Sendable {
    let redis: RedisClient

    package init(redis: RedisClient) {
        self.redis = redis
    }

    /// The channel of an organization's events.
    package static func channel(prefix: String, organizationID: UUID) -> String {
        "\(prefix):events:\(organizationID.uuidString.lowercased())"
    }

    /// Publishes `event`; returns how many API instances received it.
    @discardableResult
    package func publish(_ event: PostEvent) async throws -> Int {
        try await publish(event, to: event.organizationID)
    }

    /// Publishes a notification's arrival.
    @discardableResult
    package func publish(_ event: NotificationEvent) async throws -> Int {
        try await publish(event, to: event.organizationID)
    }

    /// Publishes a media processing event.
    @discardableResult
    package func publish(_ event: MediaEvent) async throws -> Int {
        try await publish(event, to: event.organizationID)
    }

    private func publish(_ event: some Encodable, to organizationID: UUID) async throws -> Int {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let text = String(decoding: try encoder.encode(event), as: UTF8.self)
        return try await redis.publish(Self.channel(prefix: redis.configuration.keyPrefix, organizationID: organizationID), text)
    }
}
