import Foundation
import NIOPosix
import Synchronization

/// Checks URLs that users supply (a Mastodon instance, a webhook) before ARKYRA calls them, so a user cannot
/// make the server reach its own network, unless private hosts are allowed (development against the sandbox).
/// Two checks: ``validate(_:)`` when the URL is entered (the form: https, no credentials, no literal address
/// that is not public, no numeric host in the legacy forms resolvers accept such as `127.1` or `2130706433`,
/// no `localhost`), and ``refusal(connectingTo:)`` before every request, which resolves the name (the verdict
/// is kept 30 s) and refuses when any of its addresses is not public. The HTTP client resolves the name once
/// more when it connects, so a DNS server that changes its answer within that window (rebinding) is not
/// caught; closing that needs a connector that dials the checked address, which AsyncHTTPClient does not offer.
package struct OutboundURLPolicy: Sendable {
    package let allowPrivateHosts: Bool
    /// Verdicts on resolved names, kept for ``verdictLifetime``: a worker publishing thousands of posts to
    /// one instance resolves its name a few times a minute, not once per request.
    private let verdicts = HostVerdicts()
    static let verdictLifetime: Duration = .seconds(30)

    package init(allowPrivateHosts: Bool) {
        self.allowPrivateHosts = allowPrivateHosts
    }

    /// The URL normalised (no trailing slash, no query), or the reason it is refused.
    package func validate(_ text: String) -> Result<URL, URLRefusal> {
        guard let components = URLComponents(string: text.trimmingCharacters(in: .whitespaces)),
              let scheme = components.scheme?.lowercased(), let host = components.host?.lowercased(), !host.isEmpty
        else { return .failure(.malformed) }
        guard components.user == nil, components.password == nil else { return .failure(.credentialsInURL) }
        guard scheme == "https" || (scheme == "http" && allowPrivateHosts) else { return .failure(.schemeNotAllowed) }
        if !allowPrivateHosts {
            if Self.isLegacyNumeric(host) { return .failure(.malformed) }
            if Self.isPrivate(host: host) { return .failure(.privateHost) }
        }
        var normalized = URLComponents()
        normalized.scheme = scheme
        normalized.host = components.host
        normalized.port = components.port
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        normalized.path = path
        guard let url = normalized.url else { return .failure(.malformed) }
        return .success(url)
    }

    /// Why a URL was refused; `message` is fit for the user.
    package enum URLRefusal: Error, Equatable {
        case malformed, credentialsInURL, schemeNotAllowed, privateHost, unresolvable

        package var message: String {
            switch self {
            case .malformed: return "must be an absolute URL such as https://mastodon.social"
            case .credentialsInURL: return "must not contain a user name or password"
            case .schemeNotAllowed: return "must use https"
            case .privateHost: return "must not point at a private or loopback address"
            case .unresolvable: return "names a host that does not resolve"
            }
        }
    }

    /// Whether `host` names this machine or a private network by its form: a literal address that is not
    /// public, or a name reserved for local use.
    static func isPrivate(host: String) -> Bool {
        if let address = IPAddress(host) { return !address.isPublic }
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        return name == "localhost" || [".localhost", ".local", ".internal", ".home.arpa"].contains { name.hasSuffix($0) }
    }

    /// Hosts that resolvers read as IPv4 in forms other than the dotted quad (`127.1`, `2130706433`,
    /// `0x7f.0.0.1`, `0`): a last label of digits or `0x` hex, which no DNS name has.
    static func isLegacyNumeric(_ host: String) -> Bool {
        guard IPAddress(host) == nil, let last = host.lowercased().split(separator: ".").last else { return false }
        if last.allSatisfy(\.isNumber) { return true }
        return last.hasPrefix("0x") && last.dropFirst(2).allSatisfy(\.isHexDigit)
    }

    /// Why ARKYRA must not connect to `url` now, or nil: resolves its host and refuses when any address is
    /// not public (or the name does not resolve).
    package func refusal(connectingTo url: String) async -> URLRefusal? {
        if allowPrivateHosts { return nil }
        guard let host = URLComponents(string: url)?.host, !host.isEmpty else { return .malformed }
        if Self.isLegacyNumeric(host) { return .malformed }
        if Self.isPrivate(host: host) { return .privateHost }
        if IPAddress(host) != nil { return nil }
        let name = host.lowercased()
        if let known = verdicts.verdict(for: name) { return known ? nil : .privateHost }
        guard let addresses = try? await Self.resolve(host), !addresses.isEmpty else { return .unresolvable }
        let allPublic = addresses.allSatisfy(\.isPublic)
        verdicts.remember(allPublic, for: name, lifetime: Self.verdictLifetime)
        return allPublic ? nil : .privateHost
    }

    /// Every address `host` resolves to, from the system resolver (on NIO's thread pool: it blocks).
    static func resolve(_ host: String) async throws -> [IPAddress] {
        try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
            defer { freeaddrinfo(list) }
            var addresses: [IPAddress] = []
            var next = list
            while let entry = next {
                if let address = entry.pointee.ai_addr {
                    if entry.pointee.ai_family == AF_INET {
                        let v4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                        addresses.append(IPAddress(v4: withUnsafeBytes(of: v4) { Array($0) }))
                    } else if entry.pointee.ai_family == AF_INET6 {
                        let v6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                        addresses.append(IPAddress(v6: withUnsafeBytes(of: v6) { Array($0) }))
                    }
                }
                next = entry.pointee.ai_next
            }
            return addresses
        }
    }
}

/// Whether each recently resolved name had only public addresses, until its verdict expires.
final class HostVerdicts: Sendable {
    private let entries = Mutex<[String: (allPublic: Bool, until: ContinuousClock.Instant)]>([:])

    func verdict(for host: String) -> Bool? {
        entries.withLock { entries in
            guard let entry = entries[host], ContinuousClock.now < entry.until else { return nil }
            return entry.allPublic
        }
    }

    func remember(_ allPublic: Bool, for host: String, lifetime: Duration) {
        entries.withLock { entries in
            // Bounded: a flood of distinct names replaces the table rather than growing it.
            if entries.count >= 10_000 { entries.removeAll(keepingCapacity: true) }
            entries[host] = (allPublic, ContinuousClock.now + lifetime)
        }
    }
}
