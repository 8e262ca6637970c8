import Foundation

/// A person who logs in. The password hash never leaves the repository layer in this type.
package struct User: Sendable, Codable, Equatable {
    package var id: UUID
    package var email: String
    package var name: String
    package var createdAt: Date

    package init(id: UUID, email: String, name: String, createdAt: Date) {
        self.id = id
        self.email = email
        self.name = name
        self.createdAt = createdAt
    }
}
