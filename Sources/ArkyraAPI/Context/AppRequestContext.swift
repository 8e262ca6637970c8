import Foundation
import Hummingbird
import NIOCore
import Logging

/// Per-request state of every API request: the correlation id, the client's address and, once the
/// authentication middleware has read a valid token, the user.
package struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    package var coreContext: CoreRequestContextStorage
    package var requestID: String = ""
    /// Set by ``AuthenticationMiddleware`` when the request carries a valid access token.
    package var userID: UUID?
    /// The session the access token belongs to (tokens issued before sessions existed have none).
    package var sessionID: UUID?
    /// Set by ``APIKeyMiddleware`` on the public API: the key and its organization.
    package var apiKeyID: UUID?
    package var apiOrganizationID: UUID?
    /// The peer of the connection (a proxy, when there is one in front).
    package var remoteAddress: SocketAddress?
    /// The client's address: the peer's, or — when the peer is a trusted proxy — the one it reports in
    /// `X-Forwarded-For` (set by ``ClientAddressMiddleware``). Rate limits and the audit log use this.
    package var clientAddress: String?

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        clientAddress = remoteAddress?.ipAddress
    }
}
