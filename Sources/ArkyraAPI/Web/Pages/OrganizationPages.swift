import ArkyraCore
import Foundation
import Hummingbird

/// `/app`: the way in. A person without an organization is asked to create one; anyone else goes to the
/// calendar of their first organization (the header's switcher moves between them).
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
        group.post("organizations") { request, context in
            let form = try await pages.form(request, context)
            do {
                let created = try await pages.organizations.create(name: form["name"] ?? "", by: context.userID, origin: context.origin(request))
                return WebSessionMiddleware.redirect(to: "/app/\(created.organization.id.uuidString.lowercased())/calendar")
            } catch let error as APIError {
                let viewer = try await pages.viewer(context)
                return pages.renderer.render("welcome", ["name": form["name"] ?? "", "errors": error.fields ?? ["name": error.message]],
                                             request: request, viewer: viewer, title: pages.renderer.text("welcome_title", request), status: error.status)
            }
        }
    }
}
