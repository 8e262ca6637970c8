import Foundation

/// What the emulated Discord remembers: a server per account (made when the account first consents: the
/// server its owner adds the bot to), its channels, and the bot's messages in them with the nonces it
/// enforced.
actor DiscordState {
    struct Guild: Sendable {
        var id: String
        var name: String
        var ownerAccountID: String
    }

    struct Channel: Sendable {
        var id: String
        var guildID: String
        /// 0 text, 2 voice, 4 category, 5 announcement.
        var type: Int
        var name: String
        var position: Int
        /// Whether the bot may post there (a channel whose permissions leave it out is 403 Missing Access).
        var botAllowed = true
    }

    struct Message: Sendable {
        var id: String
        var channelID: String
        var content: String
        var replyTo: String?
        var attachments: [(filename: String, size: Int, description: String?)]
        var nonce: String?
        var createdAt: Date
    }

    /// Discord's OAuth 2.0 server: codes live 10 minutes, access tokens 7 days, refresh tokens rotate; the
    /// client secret goes in the form body; PKCE is optional.
    static let oauthPolicy = OAuthServer.Policy(
        displayName: "Discord", codeLifetime: 600, accessLifetime: 604_800, refreshLifetime: nil, refreshRotates: true, refreshScope: nil,
        requiresPKCE: false, clientAuthentication: .requestBody, accountIDs: .numeric, tokenType: "Bearer",
        invalidCode: #"Invalid "code" in request."#, invalidRefresh: #"Invalid "refresh_token" in request."#, invalidRefreshError: "invalid_grant"
    )

    let botToken: String
    private(set) var guilds: [Guild] = []
    private(set) var channels: [Channel] = []
    private(set) var messages: [Message] = []
    private var nextID: UInt64 = 1_300_000_000_000_000_000

    init(botToken: String) {
        self.botToken = botToken
    }

    private func snowflake() -> String {
        nextID += 1
        return String(nextID)
    }

    /// The server the account owns, made with #general, #announcements, a voice channel and a category
    /// on first use.
    func guild(ownedBy accountID: String, name: String) -> Guild {
        if let existing = guilds.first(where: { $0.ownerAccountID == accountID }) { return existing }
        let guild = Guild(id: snowflake(), name: "\(name)'s server", ownerAccountID: accountID)
        guilds.append(guild)
        for (index, (type, channel)) in [(4, "Text Channels"), (0, "general"), (5, "announcements"), (2, "General")].enumerated() {
            channels.append(Channel(id: snowflake(), guildID: guild.id, type: type, name: channel, position: index))
        }
        return guild
    }

    func channels(of guildID: String) -> [Channel] { channels.filter { $0.guildID == guildID } }
    func channel(_ id: String) -> Channel? { channels.first { $0.id == id } }

    func setBotAllowed(_ allowed: Bool, in channelID: String) {
        if let index = channels.firstIndex(where: { $0.id == channelID }) { channels[index].botAllowed = allowed }
    }

    /// A new message, or the one sent earlier with the same nonce within five minutes (`enforce_nonce`).
    func post(in channelID: String, content: String, replyTo: String?, attachments: [(String, Int, String?)], nonce: String?, enforced: Bool, now: Date) -> Message {
        if enforced, let nonce, let earlier = messages.first(where: { $0.channelID == channelID && $0.nonce == nonce && now.timeIntervalSince($0.createdAt) < 300 }) {
            return earlier
        }
        let message = Message(id: snowflake(), channelID: channelID, content: content, replyTo: replyTo,
                              attachments: attachments.map { (filename: $0.0, size: $0.1, description: $0.2) }, nonce: nonce, createdAt: now)
        messages.append(message)
        return message
    }

    func message(_ id: String, in channelID: String) -> Message? { messages.first { $0.id == id && $0.channelID == channelID } }

    func delete(_ id: String, in channelID: String) -> Bool {
        guard let index = messages.firstIndex(where: { $0.id == id && $0.channelID == channelID }) else { return false }
        messages.remove(at: index)
        return true
    }

    func reset() {
        messages = []
    }
}
