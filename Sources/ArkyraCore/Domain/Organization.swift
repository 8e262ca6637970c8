import Foundation

/// A tenant: a team that owns channels and posts.
public struct Organization: Sendable, Codable, Equatable {
    public var id: UUID
    public var name: String
    public var createdAt: Date

    public init(id: UUID, name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// An organization as one of its members sees it: with that member's role.
public struct MemberOrganization: Sendable, Codable, Equatable {
    public var organization: Organization
    public var role: Role

    public init(organization: Organization, role: Role) {
        self.organization = organization
        self.role = role
    }
}
