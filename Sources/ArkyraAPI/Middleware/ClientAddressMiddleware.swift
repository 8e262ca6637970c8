import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird

/// Sets the request's client address. Behind a reverse proxy or an ingress every connection comes from the
/// proxy, so its `X-Forwarded-For` names the client — but anyone can send that header, so it is read only
/// when the connection comes from one of `trustedProxies` (`ARKYRA_TRUSTED_PROXIES`). The list is read
/// from the right, skipping trusted proxies; the first other address is the client.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let trustedProxies: [IPRange]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.clientAddress = address(peer: context.clientAddress, forwardedFor: request.headers[values: Self.forwardedFor])
        return try await next(request, context)
    }

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    /// The client's address for a connection from `peer` that sent these `X-Forwarded-For` values.
    func address(peer: String?, forwardedFor values: [String]) -> String? {
        guard !trustedProxies.isEmpty, let address = peer.flatMap(IPAddress.init), isTrusted(address) else { return peer }
        return client(forwardedFor: values) ?? peer
    }

    /// The client named by the `X-Forwarded-For` values (nil when they name none).
    func client(forwardedFor values: [String]) -> String? {
        let hops = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        var leftmost: IPAddress?
        for hop in hops.reversed() {
            guard let address = IPAddress(hop) else { return leftmost?.description }
            if !isTrusted(address) { return address.description }
            leftmost = address
        }
        return leftmost?.description
    }

    private func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}
