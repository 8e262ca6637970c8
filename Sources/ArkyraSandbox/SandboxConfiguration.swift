/// Where the sandbox listens and which accounts exist when it starts.
package struct SandboxConfiguration: Sendable {
    package var host: String
    package var port: Int
    /// Mastodon accounts to create at start: `(access token, username)`.
    package var mastodonAccounts: [(token: String, username: String)]
    /// The token of the emulated Telegram bot (its id before the colon).
    package var telegramBotToken: String

    package static let defaultTelegramBotToken = "7000000001:ARKYRA-sandbox-bot-token"
    /// The token of the emulated Discord app's bot.
    package var discordBotToken = defaultDiscordBotToken
    package static let defaultDiscordBotToken = "MTMwMDAwMDAwMDAwMDAwMDAwMQ.sandbox.ARKYRA-discord-bot-token"

    package init(host: String = "127.0.0.1", port: Int = 8090, mastodonAccounts: [(token: String, username: String)] = [],
                 telegramBotToken: String = defaultTelegramBotToken) {
        self.host = host
        self.port = port
        self.mastodonAccounts = mastodonAccounts
        self.telegramBotToken = telegramBotToken
    }

    /// Parses `token:username,token:username`.
    /// - Throws: ``SandboxConfigurationError`` for an entry without both parts.
    package static func parseAccounts(_ text: String) throws -> [(token: String, username: String)] {
        try text.split(separator: ",").map { entry in
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw SandboxConfigurationError(message: "ARKYRA_SANDBOX_MASTODON_ACCOUNTS entries must be token:username")
            }
            return (parts[0], parts[1])
        }
    }
}

package struct SandboxConfigurationError: Error, CustomStringConvertible {
    package let message: String
    package var description: String { message }
}
