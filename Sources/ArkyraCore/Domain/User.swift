import Foundation

/// A person who logs in. The password hash never leaves the repository layer in this type.
public struct User: Sendable, Codable, Equatable {
    public var id: UUID
    public var email: String
    public var name: String
    public var createdAt: Date

    public init(id: UUID, email: String, name: String, createdAt: Date) {
        self.id = id
        self.email = email
        self.name = name
        self.createdAt = createdAt
    }
}
