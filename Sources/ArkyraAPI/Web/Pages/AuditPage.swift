import ArkyraCore
import Foundation
import Hummingbird

/// `/app/:organization/audit` (admins and the owner): the organization's audit log, newest first, 100 a
/// page, filtered by action (exactly, or a prefix such as `post.`); the query is the API's
/// (`GET /api/v1/organizations/:organization/audit`), parsed by the same AuditRoutes.filter.
struct AuditPage {
    let pages: WebPages

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get("audit") { request, context in
            let member = try await pages.member(context, .readAudit)
            let query = request.uri.queryParameters
            let filter = try AuditRoutes.filter(query)
            let entries = try await pages.audit.list(organizationID: member.id, filter: filter, client: pages.database)
            let formatter = pages.formatter(request)
            let t = pages.renderer.assets.catalogue.table(pages.renderer.language(request))
            let action = filter.action ?? ""
            var older: String?
            if entries.count == filter.limit, let last = entries.last {
                older = "audit?before=\(last.id)" + (action.isEmpty ? "" : "&action=\(WebSessionMiddleware.escape(action))")
            }
            let values = PageRenderer.values([
                "nav_audit": true, "action": action, "older": older, "has_entries": !entries.isEmpty, "filtered": filter.action != nil || filter.before != nil,
                "entries": entries.map { entry in
                    PageRenderer.values([
                        "when": formatter.moment(entry.createdAt), "action": entry.action,
                        "who": entry.actorEmail ?? (entry.apiKeyID != nil ? t["audit_api_key"] : nil) ?? t["audit_system"],
                        "target": entry.targetID.map { "\(entry.targetType) \($0.prefix(8))" } ?? entry.targetType, "ip": entry.ip,
                    ])
                },
            ])
            return pages.renderer.render("audit", values, request: request, viewer: member.viewer, title: t["audit_title"] ?? "Audit log")
        }
    }
}
