import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import PostgresNIO

/// `GET /api/v1/organizations/:organization/events` upgraded to a WebSocket: relays the organization's post
/// events (published, failed, unconfirmed, rescheduled) from Redis pub/sub to the browser as JSON text
/// frames. Browsers cannot set headers on a WebSocket, so the access token may come as `?access_token=`.
struct EventStream: Sendable {
    let verifier: AccessTokenVerifier
    let organizations: OrganizationRepository
    let database: Database
    let redis: RedisClient

    typealias Upgrade = ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>>

    /// Upgrades a request for a member's organization event stream; anything else goes on to the router,
    /// which answers it over plain HTTP (401, 404 or 426).
    func shouldUpgrade(_ request: HTTPRequest) async -> Upgrade {
        guard let target = request.path, let components = URLComponents(string: target) else { return .dontUpgrade }
        let parts = components.path.split(separator: "/")
        guard parts.count == 5, parts[0] == "api", parts[1] == "v1", parts[2] == "organizations", parts[4] == "events",
              let organizationID = UUID(uuidString: String(parts[3]))
        else { return .dontUpgrade }
        let header = request.headerFields[.authorization].flatMap { $0.lowercased().hasPrefix("bearer ") ? String($0.dropFirst(7)) : nil }
        guard let token = header ?? components.queryItems?.first(where: { $0.name == "access_token" })?.value,
              let identity = try? await verifier.verify(token),
              let role = try? await organizations.role(ofUser: identity.userID, in: organizationID, client: database),
              role.includes(Permission.readContent.minimumRole)
        else { return .dontUpgrade }
        let channel = EventPublisher.channel(prefix: redis.configuration.keyPrefix, organizationID: organizationID)
        return .upgrade([:]) { inbound, outbound, _ in
            try await redis.subscribe(to: [channel]) { messages in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // Ends when the browser closes the socket.
                    group.addTask { for try await _ in inbound {} }
                    group.addTask {
                        for await message in messages { try await outbound.write(.text(message.payload)) }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
        }
    }
}
