import Foundation

/// Rules for requests ARKYRA sends to platforms and to user-supplied URLs.
package struct OutboundConfiguration: Sendable {
    package var timeout: Duration
    /// Whether user-supplied URLs may point at loopback or private networks (true in development only).
    package var allowPrivateHosts: Bool

    package init(timeout: Duration = .seconds(30), allowPrivateHosts: Bool = false) {
        self.timeout = timeout
        self.allowPrivateHosts = allowPrivateHosts
    }

    /// Reads `ARKYRA_OUTBOUND_TIMEOUT_SECONDS` and `ARKYRA_OUTBOUND_ALLOW_PRIVATE_HOSTS`.
    package init(reader: EnvironmentReader) throws {
        self.init(
            timeout: .seconds(try reader.int("ARKYRA_OUTBOUND_TIMEOUT_SECONDS", default: 30, in: 1...600)),
            allowPrivateHosts: try reader.bool("ARKYRA_OUTBOUND_ALLOW_PRIVATE_HOSTS", default: false)
        )
    }
}
