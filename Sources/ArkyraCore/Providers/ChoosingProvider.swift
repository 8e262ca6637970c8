/// A platform where one login holds several places to post — a Discord server's channels, a Slack
/// workspace's, a person's Facebook Pages (and, to come, LinkedIn pages, YouTube channels, Pinterest boards). Connecting ends with
/// the person choosing one; each choice becomes a channel of its own.
package protocol ChoosingProvider: Provider {
    /// The places the login `connected` may post to.
    /// - Throws: ``ProviderError``.
    func choices(for connected: ConnectedAccount) async throws -> [ProviderChoice]

    /// The channel for the place `choiceID` (one of ``choices(for:)``).
    /// - Throws: ``ProviderError``: `.rejected` for a choice that is not among them.
    func choose(_ choiceID: String, of connected: ConnectedAccount) async throws -> ConnectedAccount
}

/// One place a login may post to.
package struct ProviderChoice: Sendable, Codable, Equatable {
    package var id: String
    package var name: String
    /// What kind of place it is, in the platform's words (`text channel`, `announcement channel`, `page`).
    package var kind: String

    package init(id: String, name: String, kind: String) {
        self.id = id
        self.name = name
        self.kind = kind
    }
}
