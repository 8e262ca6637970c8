import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// GDPR: a person exports or erases their data; an owner exports or erases their organization.
struct PrivacyService: Sendable {
    let database: Database
    let privacy: PrivacyRepository
    let users: UserRepository
    let hasher: PasswordHasher
    let audit: AuditRepository
    let queue: JobQueue
    let revocations: RevokedSessions
    let sessions: SessionRepository
    let logger: Logger

    func exportUser(_ userID: UUID) async throws -> String {
        try await privacy.exportUser(userID, client: database)
    }

    func exportOrganization(_ organizationID: UUID) async throws -> String {
        try await privacy.exportOrganization(organizationID, client: database)
    }

    /// Erases the account after checking the password. Organizations the user owns alone go with it; owning
    /// one that has other members is refused until ownership is transferred.
    func deleteUser(_ userID: UUID, password: String, origin: RequestOrigin) async throws {
        guard let stored = try await users.passwordHash(id: userID, client: database), try await hasher.verify(password, against: stored) else {
            throw APIError(.unprocessableContent, "wrong_password", "the password is wrong", fields: ["password": "is wrong"])
        }
        let ended = try await database.inTransaction(logger: logger) { connection -> [UUID] in
            let owned = try await privacy.ownedOrganizations(of: userID, on: connection)
            if let shared = owned.first(where: { $0.otherMembers > 0 }) {
                throw APIError(.conflict, "owns_shared_organization",
                               "you own organization \(shared.id) with other members; transfer its ownership or delete it first")
            }
            for organization in owned { try await erase(organization.id, on: connection) }
            let ended = try await sessions.revokeAll(userID: userID, keeping: nil, reason: "account_deleted", on: connection)
            try await privacy.deleteUser(userID, on: connection)
            try await audit.record(
                AuditEvent(organizationID: nil, actorUserID: nil, action: "user.deleted", targetType: "user", targetID: userID.uuidString,
                           origin: RequestOrigin(ip: nil, userAgent: nil, requestID: origin.requestID)),
                on: connection
            )
            return ended
        }
        revocations.noteRevoked(ended)
    }

    /// Erases an organization; the caller repeats its name to confirm.
    func deleteOrganization(_ organizationID: UUID, confirmingName name: String, by userID: UUID, origin: RequestOrigin) async throws {
        try await database.inTransaction(logger: logger) { connection in
            let rows = try await connection.query("SELECT name FROM organizations WHERE id = \(organizationID) FOR UPDATE", logger: logger)
            var actual: String?
            for try await found in rows.decode(String.self) { actual = found }
            guard let actual else { throw APIError.notFound("organization") }
            guard actual == name else { throw APIError.validation(["name": "must repeat the organization's name to confirm"]) }
            try await erase(organizationID, on: connection)
            try await audit.record(
                AuditEvent(organizationID: nil, actorUserID: userID, action: "organization.deleted", targetType: "organization",
                           targetID: organizationID.uuidString, origin: origin),
                on: connection
            )
        }
    }

    /// Cancels the organization's waiting publish jobs and deletes it, in the caller's transaction (if Redis
    /// refuses, nothing is deleted; a job cancelled for a deletion that then rolls back is restored by the
    /// reconciler).
    private func erase(_ organizationID: UUID, on connection: PostgresConnection) async throws {
        for postID in try await privacy.scheduledPosts(of: organizationID, on: connection) {
            try await queue.cancel(jobID: postID.uuidString)
        }
        try await privacy.deleteOrganization(organizationID, on: connection)
    }
}
