import ArkyraCore
import Foundation
import HummingbirdTesting
import Testing

extension PublishingWorld {
    package var xProvider: XProvider {
        XProvider(http: PlatformHTTP(client: .shared, timeout: .seconds(3), policy: OutboundURLPolicy(allowPrivateHosts: true)), app: platforms.x)
    }

    /// Creates account `username` on the emulated X, consents on its page, trades the code through the real
    /// provider and stores the channel with its tokens; returns the channel's id.
    package func connectX(username: String = "ada_x") async throws -> UUID {
        try await sandbox.execute(uri: "/_sandbox/x/accounts", method: .post, body: jsonBody(["username": username])) { #expect($0.status == .created) }
        let verifier = PKCE.makeVerifier()
        let redirect = "http://127.0.0.1:1/callback"
        let url = try #require(xProvider.authorizationURL(state: "s1", challenge: PKCE.challenge(for: verifier), redirectURI: redirect))
        let back = try await SandboxConsent.answer(url.absoluteString, allow: true, on: sandbox)
        let connected = try await xProvider.exchange(code: try #require(back.query("code")), verifier: verifier, redirectURI: redirect)
        let secrets = ChannelSecrets(cipher: TokenCipher(keys: security.encryptionKeys))
        let id = UUID()
        let integration = try await database.inTransaction(logger: TestEnvironment.logger) { connection in
            try await IntegrationRepository(logger: TestEnvironment.logger).create(.init(
                id: id, organizationID: organizationID, provider: "x", externalID: connected.account.id, name: connected.account.name,
                username: connected.account.username, avatarURL: connected.account.avatarURL, instanceURL: nil,
                credentials: try secrets.seal(connected.credentials, integrationID: id)
            ), on: connection)
        }
        return integration.id
    }

    /// The posts on the emulated X.
    package func xPosts() async throws -> [[String: Any]] {
        try await sandbox.execute(uri: "/_sandbox/x/posts", method: .get) { $0.json["posts"] as? [[String: Any]] ?? [] }
    }
}
