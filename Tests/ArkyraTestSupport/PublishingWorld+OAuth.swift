import ArkyraCore
import Foundation
import HummingbirdTesting
import Testing

extension PublishingWorld {
    package var platformHTTP: PlatformHTTP {
        PlatformHTTP(client: .shared, timeout: .seconds(3), policy: OutboundURLPolicy(allowPrivateHosts: true))
    }

    /// Creates account `username` on the emulated X and connects it; returns the channel's id.
    package func connectX(username: String = "ada_x") async throws -> UUID {
        try await connect(XProvider(http: platformHTTP, app: platforms.x), username: username)
    }

    /// Creates account `username` on the emulated LinkedIn and connects it; returns the channel's id.
    package func connectLinkedIn(username: String = "Ada Lovelace") async throws -> UUID {
        try await connect(LinkedInProvider(http: platformHTTP, app: platforms.linkedIn), username: username)
    }

    /// Creates account `username` on the emulated Threads and connects it; returns the channel's id.
    package func connectThreads(username: String = "ada.threads") async throws -> UUID {
        try await connect(ThreadsProvider(http: platformHTTP, app: platforms.threads), username: username)
    }

    /// Creates account `username` on the emulated Instagram and connects it; returns the channel's id.
    package func connectInstagram(username: String = "ada.insta") async throws -> UUID {
        try await connect(InstagramProvider(http: platformHTTP, app: platforms.instagram), username: username)
    }

    /// The posts on the emulated Instagram, with their comments.
    package func instagramPosts() async throws -> [[String: Any]] {
        try await sandbox.execute(uri: "/_sandbox/instagram/posts", method: .get) { $0.json["posts"] as? [[String: Any]] ?? [] }
    }

    /// The posts on the emulated Threads.
    package func threadsPosts() async throws -> [[String: Any]] {
        try await sandbox.execute(uri: "/_sandbox/threads/posts", method: .get) { $0.json["posts"] as? [[String: Any]] ?? [] }
    }

    /// Creates account `username` on the emulated platform, consents on its page, trades the code through the
    /// real provider and stores the channel with its tokens; returns the channel's id.
    package func connect(_ provider: some OAuthProvider, username: String) async throws -> UUID {
        try await sandbox.execute(uri: "/_sandbox/\(provider.identifier)/accounts", method: .post, body: jsonBody(["username": username])) {
            #expect($0.status == .created)
        }
        let verifier = PKCE.makeVerifier()
        let redirect = "http://127.0.0.1:1/callback"
        let url = try #require(provider.authorizationURL(state: "s1", challenge: PKCE.challenge(for: verifier), redirectURI: redirect))
        let back = try await SandboxConsent.answer(url.absoluteString, allow: true, on: sandbox)
        let connected = try await provider.exchange(code: try #require(back.query("code")), verifier: verifier, redirectURI: redirect)
        let secrets = ChannelSecrets(cipher: TokenCipher(keys: security.encryptionKeys))
        let id = UUID()
        let integration = try await database.inTransaction(logger: TestEnvironment.logger) { connection in
            try await IntegrationRepository(logger: TestEnvironment.logger).create(.init(
                id: id, organizationID: organizationID, provider: provider.identifier, externalID: connected.account.id, name: connected.account.name,
                username: connected.account.username, avatarURL: connected.account.avatarURL, instanceURL: nil,
                credentials: try secrets.seal(connected.credentials, integrationID: id)
            ), on: connection)
        }
        return integration.id
    }

    /// The platform's id of a channel's account.
    package func externalID(of channel: UUID) async throws -> String {
        for try await id in try await database.query("SELECT external_id FROM integrations WHERE id = \(channel)").decode(String.self) { return id }
        throw ChannelNotFound()
    }

    package struct ChannelNotFound: Error {}

    /// A channel's stored credentials, opened.
    package func openedCredentials(of channel: UUID) async throws -> ProviderCredentials {
        let stored = try await self.channel(channel).credentials
        return try ChannelSecrets(cipher: TokenCipher(keys: security.encryptionKeys)).open(stored, integrationID: channel, instanceURL: nil)
    }

    /// The posts on the emulated LinkedIn, each with its comments.
    package func linkedInPosts() async throws -> [[String: Any]] {
        try await sandbox.execute(uri: "/_sandbox/linkedin/posts", method: .get) { $0.json["posts"] as? [[String: Any]] ?? [] }
    }

    /// The posts on the emulated X.
    package func xPosts() async throws -> [[String: Any]] {
        try await sandbox.execute(uri: "/_sandbox/x/posts", method: .get) { $0.json["posts"] as? [[String: Any]] ?? [] }
    }
}

extension PublishingWorld {
    /// Creates a chat on the emulated Telegram (the bot an administrator) and stores it as a channel, as the
    /// connect flow does through the real provider; returns the channel's id and the chat's.
    package func connectTelegram(title: String = "ARKYRA news", username: String? = "arkyra_news") async throws -> (channel: UUID, chat: Int) {
        var body: [String: Any] = ["title": title, "type": "channel"]
        if let username { body["username"] = username }
        let chat = try await sandbox.execute(uri: "/_sandbox/telegram/chats", method: .post, body: jsonBody(body)) { try #require($0.json["id"] as? Int) }
        let provider = TelegramProvider(http: platformHTTP, bot: platforms.telegram)
        let connected = try await provider.account(ofChat: Int64(chat))
        let secrets = ChannelSecrets(cipher: TokenCipher(keys: security.encryptionKeys))
        let id = UUID()
        let integration = try await database.inTransaction(logger: TestEnvironment.logger) { connection in
            try await IntegrationRepository(logger: TestEnvironment.logger).create(.init(
                id: id, organizationID: organizationID, provider: "telegram", externalID: connected.account.id, name: connected.account.name,
                username: connected.account.username, avatarURL: nil, instanceURL: nil, credentials: try secrets.seal(connected.credentials, integrationID: id)
            ), on: connection)
        }
        return (integration.id, chat)
    }

    /// The messages on the emulated Telegram.
    package func telegramMessages() async throws -> [[String: Any]] {
        try await sandbox.execute(uri: "/_sandbox/telegram/messages", method: .get) { $0.json["messages"] as? [[String: Any]] ?? [] }
    }
}

extension PublishingWorld {
    /// Consents on the emulated Discord as `username` (adding the bot to their server), chooses the server's
    /// channel `channelName` through the real provider and stores it; returns the channel's id and Discord's.
    package func connectDiscord(username: String = "ada_discord", channelName: String = "#general") async throws -> (channel: UUID, discordChannel: String) {
        let connected = try await connectChoice(DiscordProvider(http: platformHTTP, app: platforms.discord), username: username, choiceName: channelName)
        return (connected.channel, connected.choice)
    }

    /// The bot's messages on the emulated Discord.
    package func discordMessages() async throws -> [[String: Any]] {
        try await sandbox.execute(uri: "/_sandbox/discord/messages", method: .get) { $0.json["messages"] as? [[String: Any]] ?? [] }
    }
}

extension PublishingWorld {
    /// Installs the emulated Slack app in `username`'s workspace, chooses the channel `channelName` through
    /// the real provider and stores it; returns the channel's id and Slack's.
    package func connectSlack(username: String = "ada_slack", channelName: String = "#general") async throws -> (channel: UUID, slackChannel: String, workspace: String) {
        let connected = try await connectChoice(SlackProvider(http: platformHTTP, app: platforms.slack), username: username, choiceName: channelName)
        return (connected.channel, connected.choice, connected.login)
    }

    /// The bot's messages on the emulated Slack.
    package func slackMessages() async throws -> [[String: Any]] {
        try await sandbox.execute(uri: "/_sandbox/slack/messages", method: .get) { $0.json["messages"] as? [[String: Any]] ?? [] }
    }
}

extension PublishingWorld {
    /// Consents on the emulated platform as `username`, chooses the place named `choiceName` through the
    /// real provider and stores it as a channel; returns the channel's id, the choice's and the login's.
    /// `sandboxPlatform` names the emulation when it is not the provider's identifier (LinkedIn Pages are LinkedIn's).
    package func connectChoice(_ provider: some OAuthProvider & ChoosingProvider, username: String, choiceName: String,
                               sandboxPlatform: String? = nil) async throws -> (channel: UUID, choice: String, login: String) {
        try await sandbox.execute(uri: "/_sandbox/\(sandboxPlatform ?? provider.identifier)/accounts", method: .post, body: jsonBody(["username": username])) { #expect($0.status == .created) }
        let redirect = "http://127.0.0.1:1/callback"
        let url = try #require(provider.authorizationURL(state: "s1", challenge: "", redirectURI: redirect))
        let back = try await SandboxConsent.answer(url.absoluteString, allow: true, on: sandbox, account: username)
        let login = try await provider.exchange(code: try #require(back.query("code")), verifier: "", redirectURI: redirect)
        let choice = try #require(try await provider.choices(for: login).first { $0.name == choiceName })
        let connected = try await provider.choose(choice.id, of: login)
        let secrets = ChannelSecrets(cipher: TokenCipher(keys: security.encryptionKeys))
        let id = UUID()
        let integration = try await database.inTransaction(logger: TestEnvironment.logger) { connection in
            try await IntegrationRepository(logger: TestEnvironment.logger).create(.init(
                id: id, organizationID: organizationID, provider: provider.identifier, externalID: connected.account.id, name: connected.account.name,
                username: connected.account.username, avatarURL: connected.account.avatarURL, instanceURL: nil,
                credentials: try secrets.seal(connected.credentials, integrationID: id)
            ), on: connection)
        }
        return (integration.id, choice.id, login.account.id)
    }

    /// Connects the LinkedIn company Page `pageName` that `username` administers (every member has "<name>'s Company").
    package func connectLinkedInPage(username: String = "Grace Hopper", pageName: String = "Grace Hopper's Company") async throws -> UUID {
        try await connectChoice(LinkedInPageProvider(http: platformHTTP, app: platforms.linkedIn), username: username, choiceName: pageName,
                                sandboxPlatform: "linkedin").channel
    }

    /// Connects the board `board` of `username` on the emulated Pinterest (every account has "Ideas").
    package func connectPinterest(username: String = "ada_pins", board: String = "Ideas") async throws -> UUID {
        try await connectChoice(PinterestProvider(http: platformHTTP, app: platforms.pinterest), username: username, choiceName: board).channel
    }

    /// Connects `place` (`u/<name>` or `r/<subreddit>`) for `username` on the emulated Reddit.
    package func connectReddit(username: String = "ada_reddit", place: String = "r/arkyra_sandbox") async throws -> UUID {
        try await connectChoice(RedditProvider(http: platformHTTP, app: platforms.reddit), username: username, choiceName: place).channel
    }

    /// Connects the Page `pageName` of `username` on the emulated Facebook (every person has "<name>'s Page").
    package func connectFacebook(username: String = "Ada Lovelace", pageName: String = "Ada Lovelace's Page") async throws -> UUID {
        try await connectChoice(FacebookProvider(http: platformHTTP, app: platforms.facebook), username: username, choiceName: pageName).channel
    }

    /// The Pages' posts on the emulated Facebook, with photos and comments.
    package func facebookPosts() async throws -> [[String: Any]] {
        try await sandbox.execute(uri: "/_sandbox/facebook/posts", method: .get) { $0.json["posts"] as? [[String: Any]] ?? [] }
    }
}
