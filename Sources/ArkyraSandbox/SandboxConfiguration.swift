/// Where the sandbox listens and which accounts exist when it starts.
public struct SandboxConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Mastodon accounts to create at start: `(access token, username)`.
    public var mastodonAccounts: [(token: String, username: String)]

    public init(host: String = "127.0.0.1", port: Int = 8090, mastodonAccounts: [(token: String, username: String)] = []) {
        self.host = host
        self.port = port
        self.mastodonAccounts = mastodonAccounts
    }

    /// Parses `token:username,token:username`.
    /// - Throws: ``SandboxConfigurationError`` for an entry without both parts.
    public static func parseAccounts(_ text: String) throws -> [(token: String, username: String)] {
        try text.split(separator: ",").map { entry in
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw SandboxConfigurationError(message: "ARKYRA_SANDBOX_MASTODON_ACCOUNTS entries must be token:username")
            }
            return (parts[0], parts[1])
        }
    }
}

public struct SandboxConfigurationError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
