import Foundation

/// A key of the public API, owned by an organization. Its secret is shown once at creation; `prefix` (its
/// first characters) tells keys apart in lists.
public struct APIKey: Sendable, Codable, Equatable {
    public var id: UUID
    public var organizationID: UUID
    public var name: String
    public var prefix: String
    public var createdBy: UUID?
    public var createdAt: Date
    public var lastUsedAt: Date?

    public init(id: UUID, organizationID: UUID, name: String, prefix: String, createdBy: UUID?, createdAt: Date, lastUsedAt: Date?) {
        self.id = id
        self.organizationID = organizationID
        self.name = name
        self.prefix = prefix
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}
