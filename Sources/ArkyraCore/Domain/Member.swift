import Foundation

/// A person in an organization, with their role.
public struct Member: Sendable, Codable, Equatable {
    public var userID: UUID
    public var email: String
    public var name: String
    public var role: Role
    public var joinedAt: Date

    public init(userID: UUID, email: String, name: String, role: Role, joinedAt: Date) {
        self.userID = userID
        self.email = email
        self.name = name
        self.role = role
        self.joinedAt = joinedAt
    }
}

/// An invitation to join an organization with a role, by link or for one email address.
public struct Invitation: Sendable, Codable, Equatable {
    public var id: UUID
    public var organizationID: UUID
    /// Only this address may accept; nil for an invitation by link (anyone holding it, once).
    public var email: String?
    public var role: Role
    public var invitedBy: UUID?
    public var createdAt: Date
    public var expiresAt: Date

    public init(id: UUID, organizationID: UUID, email: String?, role: Role, invitedBy: UUID?, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.organizationID = organizationID
        self.email = email
        self.role = role
        self.invitedBy = invitedBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
