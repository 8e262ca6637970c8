import Foundation

/// What the emulated Slack remembers: a workspace per account (its owner installs the app there on the
/// consent page), its channels, the bot tokens installations got, and the bot's messages.
actor SlackState {
    struct Workspace: Sendable {
        var id: String
        var name: String
        var domain: String
        var ownerAccountID: String
    }

    struct Channel: Sendable {
        var id: String
        var workspaceID: String
        var name: String
        var isPrivate: Bool
        /// Whether the bot is in it (private channels take only members; public ones anyone with chat:write.public).
        var botIsMember: Bool
        var isArchived = false
    }

    struct Message: Sendable {
        var ts: String
        var channelID: String
        var text: String
        var threadTS: String?
    }

    struct Installation: Sendable {
        var workspaceID: String
        var scopes: Set<String>
    }

    /// Slack's OAuth 2.0 (v2) server: codes live 10 minutes; bot tokens do not expire (rotation off); the
    /// client secret goes in the form body or Basic; PKCE is not used for confidential apps.
    static let oauthPolicy = OAuthServer.Policy(
        displayName: "Slack", codeLifetime: 600, accessLifetime: 315_360_000, refreshLifetime: nil, refreshRotates: false, refreshScope: nil,
        requiresPKCE: false, clientAuthentication: .requestBody, accountIDs: .alphanumeric, tokenType: "bot",
        invalidCode: "invalid_code", invalidRefresh: "invalid_refresh_token", invalidRefreshError: "invalid_refresh_token"
    )

    private(set) var workspaces: [Workspace] = []
    private(set) var channels: [Channel] = []
    private(set) var messages: [Message] = []
    private var installations: [String: Installation] = [:]  // by bot token
    private var clock: Double = 1_800_000_000

    func workspace(ownedBy accountID: String, name: String) -> Workspace {
        if let existing = workspaces.first(where: { $0.ownerAccountID == accountID }) { return existing }
        let id = "T" + OAuthServer.random(10).uppercased()
        let slug = name.lowercased().filter { $0.isLetter || $0.isNumber }
        let workspace = Workspace(id: id, name: "\(name)'s workspace", domain: slug.isEmpty ? "sandbox" : slug, ownerAccountID: accountID)
        workspaces.append(workspace)
        for (name, isPrivate, member) in [("general", false, true), ("random", false, false), ("launch-team", true, true), ("board", true, false)] {
            channels.append(Channel(id: (isPrivate ? "G" : "C") + OAuthServer.random(10).uppercased(), workspaceID: id, name: name, isPrivate: isPrivate, botIsMember: member))
        }
        return workspace
    }

    func install(in workspaceID: String, scopes: Set<String>) -> String {
        let token = "xoxb-\(Int.random(in: 100_000_000...999_999_999))-\(OAuthServer.random(24))"
        installations[token] = Installation(workspaceID: workspaceID, scopes: scopes)
        return token
    }

    func installation(token: String) -> Installation? { installations[token] }
    func revoke(workspaceID: String) { installations = installations.filter { $0.value.workspaceID != workspaceID } }
    func channels(of workspaceID: String) -> [Channel] { channels.filter { $0.workspaceID == workspaceID } }
    func channel(_ id: String, in workspaceID: String) -> Channel? { channels.first { $0.id == id && $0.workspaceID == workspaceID } }
    func workspace(_ id: String) -> Workspace? { workspaces.first { $0.id == id } }

    func archive(_ channelID: String) {
        if let index = channels.firstIndex(where: { $0.id == channelID }) { channels[index].isArchived = true }
    }

    func post(in channelID: String, text: String, threadTS: String?) -> Message {
        clock += 1.000_123
        let message = Message(ts: String(format: "%.6f", clock), channelID: channelID, text: text, threadTS: threadTS)
        messages.append(message)
        return message
    }

    func message(_ ts: String, in channelID: String) -> Message? { messages.first { $0.ts == ts && $0.channelID == channelID } }

    func delete(_ ts: String, in channelID: String) -> Bool {
        guard let index = messages.firstIndex(where: { $0.ts == ts && $0.channelID == channelID }) else { return false }
        messages.remove(at: index)
        return true
    }

    func reset() { messages = [] }
}
