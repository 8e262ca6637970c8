import Foundation

/// A person in an organization, with their role.
package struct Member: Sendable, Codable, Equatable {
    package var userID: UUID
    package var email: String
    package var name: String
    package var role: Role
    package var joinedAt: Date

    package init(userID: UUID, email: String, name: String, role: Role, joinedAt: Date) {
        self.userID = userID
        self.email = email
        self.name = name
        self.role = role
        self.joinedAt = joinedAt
    }
}

/// An invitation to join an organization with a role, by link or for one email address.
package struct Invitation: Sendable, Codable, Equatable {
    package var id: UUID
    package var organizationID: UUID
    /// Only this address may accept; nil for an invitation by link (anyone holding it, once).
    package var email: String?
    package var role: Role
    package var invitedBy: UUID?
    package var createdAt: Date
    package var expiresAt: Date

    package init(id: UUID, organizationID: UUID, email: String?, role: Role, invitedBy: UUID?, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.organizationID = organizationID
        self.email = email
        self.role = role
        self.invitedBy = invitedBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
