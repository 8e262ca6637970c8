import Foundation

/// Where a post is in its life.
package enum PostState: String, Sendable, Codable, CaseIterable {
    case draft
    /// A thread item waiting for the item before it to be published.
    case waiting
    case scheduled
    /// A worker holds it and may be talking to the platform.
    case publishing
    case published
    /// The platform refused it; `error` says why.
    case failed
    /// The platform may or may not have it: a person must check.
    case unconfirmed
}

/// One channel's variant of a post group (or one item of its thread).
package struct Post: Sendable, Codable, Equatable {
    package var id: UUID
    package var organizationID: UUID
    package var groupID: UUID
    package var parentID: UUID?
    package var position: Int
    package var integrationID: UUID
    package var content: String
    package var state: PostState
    package var publishAt: Date?
    /// The author's IANA time zone, for wall-clock rules (recurrence, display).
    package var timeZone: String
    package var platformPostID: String?
    package var platformURL: String?
    package var error: String?
    package var publishedAt: Date?
    package var createdAt: Date
    package var updatedAt: Date
    /// How many times a worker has claimed it for publishing; fences writes of stale workers.
    package var attempt: Int
    /// How the post repeats; nil for a one-off.
    package var recurrence: Recurrence?
    /// The library files the post carries, in order (filled by ``PostRepository/attachMedia(to:client:)``).
    package var mediaIDs: [UUID] = []

    /// Camel case, as the encoders' snake-case conversion expects (`mediaIds` becomes `media_ids`).
    enum CodingKeys: String, CodingKey {
        case id, organizationID, groupID, parentID, position, integrationID, content, state, publishAt, timeZone, platformPostID, platformURL
        case error, publishedAt, createdAt, updatedAt, attempt, recurrence
        case mediaIDs = "mediaIds"
    }

    package init(id: UUID, organizationID: UUID, groupID: UUID, parentID: UUID?, position: Int, integrationID: UUID,
                 content: String, state: PostState, publishAt: Date?, timeZone: String, platformPostID: String?,
                 platformURL: String?, error: String?, publishedAt: Date?, createdAt: Date, updatedAt: Date, attempt: Int = 0, recurrence: Recurrence? = nil) {
        self.id = id
        self.organizationID = organizationID
        self.groupID = groupID
        self.parentID = parentID
        self.position = position
        self.integrationID = integrationID
        self.content = content
        self.state = state
        self.publishAt = publishAt
        self.timeZone = timeZone
        self.platformPostID = platformPostID
        self.platformURL = platformURL
        self.error = error
        self.publishedAt = publishedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.attempt = attempt
        self.recurrence = recurrence
    }
}
