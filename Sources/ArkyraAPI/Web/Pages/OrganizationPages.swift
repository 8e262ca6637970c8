import ArkyraCore
import Foundation
import Hummingbird

/// `/app`: the way in. A person without an organization is asked to create one; anyone else goes to the
/// calendar of their first organization (the header's switcher moves between them). `/app/organizations`
/// lists all of them and creates another.
struct OrganizationPages {
    let pages: WebPages

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get { request, context in
            let viewer = try await pages.viewer(context)
            if let first = viewer.organizations.first {
                return WebSessionMiddleware.redirect(to: "/app/\(first.organization.id.uuidString.lowercased())/calendar")
            }
            return pages.renderer.render("welcome", [:], request: request, viewer: viewer, title: pages.renderer.text("welcome_title", request))
        }
        group.get("organizations") { request, context in
            let viewer = try await pages.viewer(context, allOrganizations: true)
            return pages.renderer.render("welcome", listing(viewer, request), request: request, viewer: viewer, title: pages.renderer.text("organizations_title", request))
        }
        group.post("organizations") { request, context in
            let form = try await pages.form(request, context)
            do {
                let created = try await pages.organizations.create(name: form["name"] ?? "", by: context.userID, origin: context.origin(request))
                return WebSessionMiddleware.redirect(to: "/app/\(created.organization.id.uuidString.lowercased())/calendar")
            } catch let error as APIError {
                let error = pages.renderer.localized(error, request)
                let viewer = try await pages.viewer(context, allOrganizations: true)
                return pages.renderer.render("welcome", listing(viewer, request).merging(["name": form["name"] ?? "", "errors": error.fields ?? ["name": error.message]]) { _, new in new },
                                             request: request, viewer: viewer, title: pages.renderer.text("welcome_title", request), status: error.status)
            }
        }
    }

    /// The person's organizations as the welcome page lists them (nothing for someone without one).
    private func listing(_ viewer: PageRenderer.Viewer, _ request: Request) -> [String: Any] {
        guard !viewer.organizations.isEmpty else { return [:] }
        let t = pages.renderer.assets.catalogue.table(pages.renderer.language(request))
        return ["memberships": viewer.organizations.map { membership in
            ["id": membership.organization.id.uuidString.lowercased(), "name": membership.organization.name,
             "role": t["role_\(membership.role.rawValue)"] ?? membership.role.rawValue]
        }, "has_memberships": true]
    }
}
