import ArkyraCore
import HTTPTypes
import Hummingbird
import NIOCore
import PostgresNIO

/// `GET /api/v1/organizations/:organization/notifications` (what a person must look at), and the plain-HTTP
/// answer of the event stream route for clients that did not ask for a WebSocket.
struct NotificationRoutes {
    let organizations: OrganizationService
    let notifications: NotificationRepository
    let database: Database
    /// The process's event streams, to tell a user at their cap why the upgrade was refused.
    let hub: EventHub?

    struct Listing: Encodable {
        var notifications: [NotificationRepository.Notification]
    }

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get("notifications") { _, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            return try JSONBody.response(Listing(notifications: try await notifications.list(organizationID: organization.id, client: database)))
        }
        group.get("events") { _, context -> Response in
            _ = try await organizations.authorize(.readContent, in: context)
            if let hub, !hub.hasRoom(for: context.userID) {
                throw APIError(.tooManyRequests, "too_many_event_streams", hub.fullMessage, headers: ["Retry-After": "5"])
            }
            throw APIError(.upgradeRequired, "websocket_required", "connect to this route with a WebSocket (ws:// or wss://)")
        }
    }
}
