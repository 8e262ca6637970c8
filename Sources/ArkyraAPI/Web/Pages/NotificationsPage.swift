import ArkyraCore
import Foundation
import Hummingbird

/// `/app/:organization/notifications`: what the person must look at — posts that failed or are unconfirmed, channels to reconnect,
/// approvals' reminders and decisions, campaigns' steps — newest first, the unseen ones marked. Opening the
/// page marks them seen for this person (`POST /api/v1/…/notifications/seen`); the header's count, kept live by
/// the page's script over the event stream, goes back to none.
struct NotificationsPage {
    let pages: WebPages

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get("notifications") { request, context in
            var member = try await pages.member(context, .readContent)
            let notifications = try await pages.notifications.list(organizationID: member.id, reader: context.userID, client: pages.database)
            try await pages.notifications.markSeen(organizationID: member.id, reader: context.userID, client: pages.database)
            member.viewer.unread = 0
            let formatter = pages.formatter(request)
            let t = pages.renderer.assets.catalogue.table(pages.renderer.language(request))
            let values: [String: Any] = [
                "nav_notifications": true, "has_notifications": !notifications.isEmpty,
                "notifications": notifications.map { notification in
                    PageRenderer.values([
                        "when": formatter.moment(notification.createdAt), "message": notification.message, "new": notification.readAt == nil,
                        "kind": t["kind_\(notification.kind.replacingOccurrences(of: ".", with: "_"))"] ?? notification.kind,
                    ])
                },
            ]
            return pages.renderer.render("notifications", values, request: request, viewer: member.viewer, title: t["notifications_title"] ?? "Notifications")
        }
    }
}
