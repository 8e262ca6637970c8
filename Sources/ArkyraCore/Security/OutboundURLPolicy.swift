import Foundation

/// Checks URLs that users supply (a Mastodon instance, a webhook) before ARKYRA calls them, so a user cannot
/// make the server reach its own network. Literal loopback, private, link-local and unique-local addresses and
/// `localhost` are refused unless private hosts are allowed (development against the sandbox).
///
/// Names that resolve to private addresses are not caught here; that needs a check at connect time.
public struct OutboundURLPolicy: Sendable {
    public let allowPrivateHosts: Bool

    public init(allowPrivateHosts: Bool) {
        self.allowPrivateHosts = allowPrivateHosts
    }

    /// The URL normalised (no trailing slash, no query), or the reason it is refused.
    public func validate(_ text: String) -> Result<URL, URLRefusal> {
        guard let components = URLComponents(string: text.trimmingCharacters(in: .whitespaces)),
              let scheme = components.scheme?.lowercased(), let host = components.host?.lowercased(), !host.isEmpty
        else { return .failure(.malformed) }
        guard components.user == nil, components.password == nil else { return .failure(.credentialsInURL) }
        guard scheme == "https" || (scheme == "http" && allowPrivateHosts) else { return .failure(.schemeNotAllowed) }
        if !allowPrivateHosts, Self.isPrivate(host: host) { return .failure(.privateHost) }
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
    public enum URLRefusal: Error, Equatable {
        case malformed, credentialsInURL, schemeNotAllowed, privateHost

        public var message: String {
            switch self {
            case .malformed: return "must be an absolute URL such as https://mastodon.social"
            case .credentialsInURL: return "must not contain a user name or password"
            case .schemeNotAllowed: return "must use https"
            case .privateHost: return "must not point at a private or loopback address"
            }
        }
    }

    static func isPrivate(host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if bare == "localhost" || bare.hasSuffix(".localhost") || bare.hasSuffix(".local") || bare.hasSuffix(".internal") { return true }
        let octets = bare.split(separator: ".").compactMap { UInt8($0) }
        if octets.count == 4, bare.split(separator: ".").count == 4 {
            switch (octets[0], octets[1]) {
            case (0, _), (10, _), (127, _), (169, 254), (192, 168), (100, 64...127): return true
            case (172, 16...31): return true
            default: return false
            }
        }
        if bare.contains(":") {
            return bare == "::1" || bare == "::" || bare.hasPrefix("fc") || bare.hasPrefix("fd") || bare.hasPrefix("fe80")
                || bare.hasPrefix("::ffff:")
        }
        return false
    }
}
