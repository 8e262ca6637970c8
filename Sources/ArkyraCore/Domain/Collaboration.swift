import Foundation

/// A comment on a post group: the team's discussion, never published.
package struct Comment: Sendable, Codable, Equatable {
    package var id: UUID
    package var groupID: UUID
    package var authorID: UUID?
    package var authorName: String
    /// Written by someone holding a preview link rather than a member.
    package var viaPreview: Bool
    package var body: String
    package var createdAt: Date
}

/// A link that shows a post group without logging in.
package struct PreviewLink: Sendable, Codable, Equatable {
    package var id: UUID
    package var groupID: UUID
    package var allowComments: Bool
    package var createdBy: UUID?
    package var createdAt: Date
    package var expiresAt: Date
}

/// A saved editor preset.
package struct PostSet: Sendable, Codable, Equatable {
    package var id: UUID
    package var name: String
    /// The editor's JSON, stored as given.
    package var content: JSONValue
    package var createdAt: Date
    package var updatedAt: Date
}

/// Text added to the end of posts.
package struct Signature: Sendable, Codable, Equatable {
    package var id: UUID
    package var name: String
    package var text: String
    package var isDefault: Bool
    package var createdAt: Date
}
