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
    /// Taking the published post down from its platform, once someone asked for it.
    package var platformRemoval: PlatformRemoval?

    /// Camel case, as the encoders' snake-case conversion expects (`mediaIds` becomes `media_ids`).
    enum CodingKeys: String, CodingKey {
        case id, organizationID, groupID, parentID, position, integrationID, content, state, publishAt, timeZone, platformPostID, platformURL
        case error, publishedAt, createdAt, updatedAt, attempt, recurrence, platformRemoval
        case mediaIDs = "mediaIds"
    }

    package init(id: UUID, organizationID: UUID, groupID: UUID, parentID: UUID?, position: Int, integrationID: UUID,
                 content: String, state: PostState, publishAt: Date?, timeZone: String, platformPostID: String?,
                 platformURL: String?, error: String?, publishedAt: Date?, createdAt: Date, updatedAt: Date, attempt: Int = 0, recurrence: Recurrence? = nil,
                 platformRemoval: PlatformRemoval? = nil) {
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
        self.platformRemoval = platformRemoval
    }
}

/// A published post being taken down from its platform (the post stays in ARKYRA, with its history).
package struct PlatformRemoval: Sendable, Codable, Equatable {
    package enum State: String, Sendable, Codable {
        /// A worker will delete it on the platform.
        case requested
        /// The platform no longer has it.
        case removed
        /// The platform refused; `error` says why (it can be asked again).
        case failed
    }

    package var state: State
    package var requestedAt: Date
    package var requestedBy: UUID?
    package var removedAt: Date?
    package var error: String?

    /// Camel case, as the encoders' snake-case conversion expects; the stored JSON uses the same keys.
    enum CodingKeys: String, CodingKey {
        case state, requestedAt, requestedBy, removedAt, error
    }

    package init(state: State, requestedAt: Date, requestedBy: UUID?, removedAt: Date? = nil, error: String? = nil) {
        self.state = state
        self.requestedAt = requestedAt
        self.requestedBy = requestedBy
        self.removedAt = removedAt
        self.error = error
    }

    /// The stored form (ISO 8601 dates with milliseconds).
    package func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601Timestamp.format(date))
        }
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    package static func parse(_ json: String?) -> PlatformRemoval? {
        guard let json else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = ISO8601Timestamp.parse(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a timestamp: \(text)"))
            }
            return date
        }
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(PlatformRemoval.self, from: Data(json.utf8))
    }
}
