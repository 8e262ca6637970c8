import Foundation

/// Where a post is in its life.
public enum PostState: String, Sendable, Codable, CaseIterable {
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
public struct Post: Sendable, Codable, Equatable {
    public var id: UUID
    public var organizationID: UUID
    public var groupID: UUID
    public var parentID: UUID?
    public var position: Int
    public var integrationID: UUID
    public var content: String
    public var state: PostState
    public var publishAt: Date?
    /// The author's IANA time zone, for wall-clock rules (recurrence, display).
    public var timeZone: String
    public var platformPostID: String?
    public var platformURL: String?
    public var error: String?
    public var publishedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
    /// How many times a worker has claimed it for publishing; fences writes of stale workers.
    public var attempt: Int
    /// How the post repeats; nil for a one-off.
    public var recurrence: Recurrence?

    public init(id: UUID, organizationID: UUID, groupID: UUID, parentID: UUID?, position: Int, integrationID: UUID,
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
