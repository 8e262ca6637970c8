import Foundation

/// A comment on a post group: the team's discussion, never published.
public struct Comment: Sendable, Codable, Equatable {
    public var id: UUID
    public var groupID: UUID
    public var authorID: UUID?
    public var authorName: String
    /// Written by someone holding a preview link rather than a member.
    public var viaPreview: Bool
    public var body: String
    public var createdAt: Date
}

/// A link that shows a post group without logging in.
public struct PreviewLink: Sendable, Codable, Equatable {
    public var id: UUID
    public var groupID: UUID
    public var allowComments: Bool
    public var createdBy: UUID?
    public var createdAt: Date
    public var expiresAt: Date
}

/// A saved editor preset.
public struct PostSet: Sendable, Codable, Equatable {
    public var id: UUID
    public var name: String
    /// The editor's JSON, stored as given.
    public var content: JSONValue
    public var createdAt: Date
    public var updatedAt: Date
}

/// Text added to the end of posts.
public struct Signature: Sendable, Codable, Equatable {
    public var id: UUID
    public var name: String
    public var text: String
    public var isDefault: Bool
    public var createdAt: Date
}
