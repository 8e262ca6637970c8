import ArkyraCore
import Foundation
import Hummingbird

/// `/app/:organization/api-keys` (admins and the owner): the keys of the public API (`/public/v1`, the
/// Postiz-compatible one) — name, prefix, last use — creating one (its secret is shown on the answer to the
/// form, once: only its hash is stored) and revoking one. APIKeyService's, as `/api/v1/…/api-keys`.
struct APIKeysPage {
    let pages: WebPages

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get("api-keys") { request, context in
            let member = try await pages.member(context, .manageAPIKeys)
            return try await page(request, member: member, PageRenderer.values(["notice": pages.done(request)]))
        }
        group.post("api-keys") { request, context in
            let member = try await pages.member(context, .manageAPIKeys)
            let form = try await pages.form(request, context)
            do {
                let created = try await pages.keys.create(organizationID: member.id, name: form["name"] ?? "", by: context.userID, origin: context.origin(request))
                return try await page(request, member: member, ["secret": created.key, "secret_name": created.apiKey.name], status: .created)
            } catch let error as APIError {
                let error = pages.renderer.localized(error, request)
                return try await page(request, member: member, WebPages.problem(error).merging(["name": form["name"] ?? ""]) { own, _ in own }, status: error.status)
            }
        }
        group.post("api-keys/:key/revoke") { request, context in
            let member = try await pages.member(context, .manageAPIKeys)
            _ = try await pages.form(request, context)
            guard let id = UUID(uuidString: try context.parameters.require("key")) else { throw APIError.notFound("API key") }
            try await pages.keys.revoke(id, organizationID: member.id, by: context.userID, origin: context.origin(request))
            return WebSessionMiddleware.redirect(to: member.path + "/api-keys?done=key_revoked")
        }
    }

    private func page(_ request: Request, member: WebPages.MemberPage, _ values: [String: Any], status: HTTPResponse.Status = .ok) async throws -> Response {
        let formatter = pages.formatter(request)
        let keys = try await pages.keys.list(organizationID: member.id)
        var values = values
        values["nav_keys"] = true
        values["keys"] = keys.map { key in
            PageRenderer.values([
                "id": key.id.uuidString.lowercased(), "name": key.name, "prefix": key.prefix, "created": formatter.moment(key.createdAt),
                "last_used": key.lastUsedAt.map(formatter.moment) ?? pages.renderer.text("keys_never_used", request),
            ])
        }
        values["has_keys"] = !keys.isEmpty
        values["public_api"] = pages.publicURL + "/public/v1"
        return pages.renderer.render("apikeys", values, request: request, viewer: member.viewer, title: pages.renderer.text("keys_title", request), status: status)
    }
}
