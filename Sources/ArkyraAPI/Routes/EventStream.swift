import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOWebSocket
import PostgresNIO

/// `GET /api/v1/organizations/:organization/events` upgraded to a WebSocket: relays the organization's post
/// events (published, failed, unconfirmed, rescheduled) to the browser as JSON text frames, through the
/// process's ``EventHub``. Browsers cannot set headers on a WebSocket, so the access token may come as
/// `?access_token=`; the web app's own pages use the session cookie (``pageCookie(_:publicURL:)``). Upgrades are rate limited per client address; the socket closes (policy violation,
/// with the reason) when its session ends or its user leaves the organization.
///
/// A browser never sees the answer to a refused handshake, so an upgrade refused for capacity is accepted and
/// closed at once with 1013 (try again later) and a reason that starts with the error code
/// (`too_many_upgrades`, `too_many_event_streams`). A token or membership that is not good enough is refused
/// as a handshake (400); a plain GET of the route says why (401, 404).
struct EventStream: Sendable {
    let verifier: AccessTokenVerifier
    let organizations: OrganizationRepository
    let database: Database
    let hub: EventHub
    let limiter: RateLimiter
    let upgradesPerMinute: Int
    /// Where this installation is reached (`ARKYRA_PUBLIC_URL`): an Origin the session cookie is good for.
    let publicURL: String?

    typealias Upgrade = ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>>

    /// Upgrades a request for a member's organization event stream; anything else goes on to the router,
    /// which answers it over plain HTTP (401, 404, 426 or 429).
    func shouldUpgrade(_ request: HTTPRequest, from address: String?) async -> Upgrade {
        guard let target = request.path, let components = URLComponents(string: target) else { return .dontUpgrade }
        let parts = components.path.split(separator: "/")
        guard parts.count == 5, parts[0] == "api", parts[1] == "v1", parts[2] == "organizations", parts[4] == "events",
              let organizationID = UUID(uuidString: String(parts[3]))
        else { return .dontUpgrade }
        // Counted before the token is checked: a flood of upgrades costs one Redis call each, not a lookup.
        if let decision = try? await limiter.hit("event-upgrades:\(address ?? "unknown")", limit: upgradesPerMinute, window: .seconds(60)),
           !decision.allowed {
            return Self.refusal("too_many_upgrades", "too many event stream upgrades from this address; wait a minute")
        }
        let header = request.headerFields[.authorization].flatMap(BearerToken.from)
        guard let token = header ?? components.queryItems?.first(where: { $0.name == "access_token" })?.value ?? Self.pageCookie(request, publicURL: publicURL),
              let identity = try? await verifier.verify(token),
              let role = try? await organizations.role(ofUser: identity.userID, in: organizationID, client: database),
              role.includes(Permission.readContent.minimumRole)
        else { return .dontUpgrade }
        guard hub.hasRoom(for: identity.userID) else { return Self.refusal("too_many_event_streams", hub.fullMessage) }
        return .upgrade([:]) { [hub] inbound, outbound, _ in
            guard let (id, deliveries) = hub.open(organizationID: organizationID, userID: identity.userID, sessionID: identity.sessionID) else {
                return try await outbound.close(Self.tryAgainLater, reason: "too_many_event_streams: \(hub.fullMessage)")
            }
            defer { hub.closeListener(id) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Ends when the browser closes the socket.
                group.addTask { for try await _ in inbound {} }
                group.addTask {
                    for await delivery in deliveries {
                        switch delivery {
                        case .event(let text): try await outbound.write(.text(text))
                        case .close(let reason): return try await outbound.close(.policyViolation, reason: reason)
                        }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    /// The session cookie of one of this site's pages. A browser sends cookies with a WebSocket from any site, so
    /// the cookie counts only when the upgrade's Origin is this site (the Host it asked for, or the public URL):
    /// another site's page cannot listen to a logged-in person's events.
    static func pageCookie(_ request: HTTPRequest, publicURL: String?) -> String? {
        guard let origin = request.headerFields[.origin], let originURL = URL(string: origin), let originHost = originURL.host() else { return nil }
        let originAuthority = originURL.port.map { "\(originHost):\($0)" } ?? originHost
        let site = publicURL.flatMap { URL(string: $0) }.map { "\($0.scheme ?? "https")://\($0.host() ?? "")\($0.port.map { ":\($0)" } ?? "")" }
        guard originAuthority.lowercased() == request.authority?.lowercased() || origin.lowercased() == site?.lowercased() else { return nil }
        for part in request.headerFields[values: .cookie].flatMap({ $0.split(separator: ";") }) {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == BrowserSession.accessCookie, !pair[1].isEmpty { return String(pair[1]) }
        }
        return nil
    }

    /// WebSocket close code 1013: the server is overloaded, try again later.
    static let tryAgainLater = WebSocketErrorCode.unknown(1013)

    /// An upgrade that is accepted only to be closed with `code` and `message` as the reason.
    private static func refusal(_ code: String, _ message: String) -> Upgrade {
        .upgrade([:]) { _, outbound, _ in try await outbound.close(tryAgainLater, reason: "\(code): \(message)") }
    }
}
