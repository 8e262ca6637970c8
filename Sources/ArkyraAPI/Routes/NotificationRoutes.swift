import ArkyraCore
import HTTPTypes
import Hummingbird
import NIOCore
import PostgresNIO

/// `GET /api/v1/organizations/:organization/notifications` (what a person must look at, with how many they have
/// not seen), `POST …/notifications/seen` (mark them all seen, for the caller only), and the plain-HTTP
/// answer of the event stream route for clients that did not ask for a WebSocket.
struct NotificationRoutes {
    let organizations: OrganizationService
    let notifications: NotificationRepository
    let database: Database
    /// The process's event streams, to tell a user at their cap why the upgrade was refused.
    let hub: EventHub?

    struct Listing: Encodable {
        var notifications: [NotificationRepository.Notification]
        /// How many the caller has not marked seen.
        var unread: Int
    }

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get("notifications") { request, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            var limit = 100
            if let raw = request.uri.queryParameters["limit"] {
                guard let value = Int(raw), (0...100).contains(value) else { throw APIError.validation(["limit": "must be 0 to 100"]) }
                limit = value
            }
            return try JSONBody.response(Listing(
                notifications: try await notifications.list(organizationID: organization.id, reader: context.userID, limit: limit, client: database),
                unread: try await notifications.unread(organizationID: organization.id, reader: context.userID, client: database)
            ))
        }
        group.post("notifications/seen") { _, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            try await notifications.markSeen(organizationID: organization.id, reader: context.userID, client: database)
            return Response(status: .noContent)
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
