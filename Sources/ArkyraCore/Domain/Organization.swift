import Foundation

/// A tenant: a team that owns channels and posts.
package struct Organization: Sendable, Codable, Equatable {
    package var id: UUID
    package var name: String
    package var createdAt: Date

    package init(id: UUID, name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// An organization as one of its members sees it: with that member's role.
package struct MemberOrganization: Sendable, Codable, Equatable {
    package var organization: Organization
    package var role: Role

    package init(organization: Organization, role: Role) {
        self.organization = organization
        self.role = role
    }
}
