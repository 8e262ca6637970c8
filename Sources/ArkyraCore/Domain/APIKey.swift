import Foundation

/// A key of the public API, owned by an organization. Its secret is shown once at creation; `prefix` (its
/// first characters) tells keys apart in lists.
package struct APIKey: Sendable, Codable, Equatable {
    package var id: UUID
    package var organizationID: UUID
    package var name: String
    package var prefix: String
    package var createdBy: UUID?
    package var createdAt: Date
    package var lastUsedAt: Date?

    package init(id: UUID, organizationID: UUID, name: String, prefix: String, createdBy: UUID?, createdAt: Date, lastUsedAt: Date?) {
        self.id = id
        self.organizationID = organizationID
        self.name = name
        self.prefix = prefix
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}
