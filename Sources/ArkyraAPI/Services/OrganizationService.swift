import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// Organizations, and the membership check every organization route starts with.
struct OrganizationService: Sendable {
    let database: Database
    let organizations: OrganizationRepository
    let audit: AuditRepository
    /// The organization's request budget, charged once the caller is known to be a member.
    var budget: OrganizationBudget?
    let logger: Logger

    func create(name: String, by userID: UUID, origin: RequestOrigin) async throws -> MemberOrganization {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(name.count) else { throw APIError.validation(["name": "must be 1 to 200 characters"]) }
        let organization = try await database.inTransaction(logger: logger) { connection in
            let organization = try await organizations.create(name: name, ownerID: userID, on: connection)
            try await audit.record(
                AuditEvent(organizationID: organization.id, actorUserID: userID, action: "organization.created", targetType: "organization",
                           targetID: organization.id.uuidString, origin: origin),
                on: connection
            )
            return organization
        }
        return MemberOrganization(organization: organization, role: .owner)
    }

    func rename(_ id: UUID, to rawName: String, by userID: UUID, origin: RequestOrigin) async throws -> Organization {
        let name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(name.count) else { throw APIError.validation(["name": "must be 1 to 200 characters"]) }
        return try await database.inTransaction(logger: logger) { connection in
            guard let organization = try await organizations.rename(id: id, to: name, on: connection) else { throw APIError.notFound("organization") }
            try await audit.record(
                AuditEvent(organizationID: id, actorUserID: userID, action: "organization.renamed", targetType: "organization",
                           targetID: id.uuidString, origin: origin),
                on: connection
            )
            return organization
        }
    }

    func list(for userID: UUID, limit: Int? = nil) async throws -> [MemberOrganization] {
        try await organizations.list(forUser: userID, limit: limit, client: database)
    }

    /// `userID`'s membership of `organizationID`, or nil when they are not a member.
    func membership(of userID: UUID, in organizationID: UUID) async throws -> MemberOrganization? {
        try await organizations.membership(ofUser: userID, in: organizationID, client: database)
    }

    /// `authorize(_:organization:userID:)` for the route's `:organization` and the request's user.
    func authorize(_ permission: Permission, in context: AuthenticatedContext) async throws -> (id: UUID, role: Role) {
        try await authorize(permission, organization: try context.parameters.require("organization"), userID: context.userID)
    }

    /// The organization id from the path, once `userID` is known to hold `permission` in it; the request is
    /// then charged to the organization's budget (only members spend it, so strangers cannot exhaust it).
    /// - Throws: 404 when the id is malformed or the user is not a member (another organization's objects do
    ///   not exist for them), 403 when their role is too low, 429 past the organization's budget.
    func authorize(_ permission: Permission, organization rawID: String, userID: UUID) async throws -> (id: UUID, role: Role) {
        guard let organizationID = UUID(uuidString: rawID),
              let role = try await organizations.role(ofUser: userID, in: organizationID, client: database)
        else { throw APIError.notFound("organization") }
        guard role.includes(permission.minimumRole) else {
            throw APIError(.forbidden, "forbidden", "your role (\(role.rawValue)) cannot do this; it needs \(permission.minimumRole.rawValue) or above")
        }
        try await budget?.charge(organizationID)
        return (organizationID, role)
    }
}

/// Requests per minute an organization's members may make together (with its public API keys). Redis
/// failing lets the request through, as every rate limit does: the limits protect, they do not decide.
struct OrganizationBudget: Sendable {
    let limiter: RateLimiter
    let perMinute: Int
    let logger: Logger

    func charge(_ organizationID: UUID) async throws {
        let decision: RateLimiter.Decision
        do {
            decision = try await limiter.hit("organization:\(organizationID)", limit: perMinute, window: .seconds(60))
        } catch {
            return logger.warning("cannot check the organization's rate limit; letting the request through", metadata: ["error": "\(error)"])
        }
        guard decision.allowed else {
            var error = APIError(.tooManyRequests, "rate_limited", "this organization made too many requests; try again in \(decision.resetSeconds) s")
            error.headers = RateLimitMiddleware.headers(decision).merging(["Retry-After": String(decision.resetSeconds)]) { _, new in new }
            throw error
        }
    }
}
