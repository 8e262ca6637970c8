import ArkyraCore
import Foundation
import Hummingbird
import PostgresNIO

/// `GET /api/v1/organizations/:organization/audit`: the organization's audit log, newest first (admin and owner).
/// Filters: `action` (exact, or a prefix ending in `.` such as `post.`), `actor` (a user id), `from`, `to`
/// (ISO 8601), `before` (an entry id: the next page), `limit` (1–500, default 100).
struct AuditRoutes {
    let organizations: OrganizationService
    let audit: AuditRepository
    let database: Database

    struct Page: Encodable {
        var entries: [AuditRepository.Entry]
        /// Pass as `before` for the next page; nil on the last one.
        var nextBefore: Int64?
    }

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get("audit") { request, context in
            let organization = try await organizations.authorize(.readAudit, in: context)
            let filter = try Self.filter(request.uri.queryParameters)
            let entries = try await audit.list(organizationID: organization.id, filter: filter, client: database)
            return try JSONBody.response(Page(entries: entries, nextBefore: entries.count == filter.limit ? entries.last?.id : nil))
        }
    }

    static func filter(_ query: Hummingbird.Parameters) throws -> AuditRepository.Filter {
        var fields: [String: String] = [:]
        var filter = AuditRepository.Filter()
        filter.action = query["action"].map(String.init)
        if filter.action?.contains("\u{0}") == true || (filter.action?.count ?? 0) > 200 { fields["action"] = "must be an action name" }
        if let actor = query["actor"] {
            filter.actorUserID = UUID(uuidString: String(actor))
            if filter.actorUserID == nil { fields["actor"] = "must be a user id" }
        }
        for (name, keyPath) in [("from", \AuditRepository.Filter.from), ("to", \AuditRepository.Filter.to)] {
            guard let raw = query[Substring(name)] else { continue }
            filter[keyPath: keyPath] = ISO8601Timestamp.parse(String(raw))
            if filter[keyPath: keyPath] == nil { fields[name] = "must be an ISO 8601 timestamp" }
        }
        if let before = query["before"] {
            filter.before = Int64(before)
            if filter.before == nil { fields["before"] = "must be an entry id" }
        }
        if let limit = query["limit"] {
            guard let value = Int(limit), (1...500).contains(value) else { throw APIError.validation(["limit": "must be 1 to 500"]) }
            filter.limit = value
        }
        guard fields.isEmpty else { throw APIError.validation(fields) }
        return filter
    }
}
