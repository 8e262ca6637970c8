import ArkyraCore
import Foundation
import Logging

/// Connecting a channel through the platform's consent page (OAuth 2.0 with PKCE). Starting creates a
/// one-time state, kept in Redis for ten minutes with the PKCE verifier and who asked (user and
/// organization); the platform sends the person back to the callback with that state and a code, and the
/// callback takes the state (once: a replayed or expired state stores nothing), trades the code for tokens
/// and stores the channel as that user.
struct OAuthConnectService: Sendable {
    let redis: RedisClient
    let providers: ProviderRegistry
    let integrations: IntegrationService
    let organizations: OrganizationService
    /// Where people reach this API (the callback's address is derived from it).
    let publicURL: String
    let logger: Logger
    static let stateLifetime = Duration.seconds(600)

    struct Started: Encodable {
        var authorizationURL: String
        var expiresIn: Int

        enum CodingKeys: String, CodingKey {
            case authorizationURL = "authorization_url", expiresIn = "expires_in"
        }
    }

    /// What the state remembers.
    private struct Pending: Codable {
        var provider: String
        var organizationID: UUID
        var userID: UUID
        var verifier: String
    }

    func redirectURI(for provider: String) -> String {
        var base = publicURL
        while base.hasSuffix("/") { base.removeLast() }
        return "\(base)/api/v1/oauth/\(provider)/callback"
    }

    /// The consent page to send the person to.
    /// - Throws: 422 for a platform that does not connect this way; 503 when this installation has no app
    ///   on the platform (naming the setting).
    func start(provider identifier: String, organizationID: UUID, userID: UUID) async throws -> Started {
        let provider = try oauthProvider(identifier)
        let state = PKCE.makeVerifier()
        let verifier = PKCE.makeVerifier()
        guard let url = provider.authorizationURL(state: state, challenge: PKCE.challenge(for: verifier), redirectURI: redirectURI(for: identifier)) else {
            throw APIError(.serviceUnavailable, "platform_not_configured",
                           "this installation has no \(identifier) app yet; an administrator sets \(provider.clientIDSetting) (see docs/configuration.md)")
        }
        let pending = Pending(provider: identifier, organizationID: organizationID, userID: userID, verifier: verifier)
        let text = String(decoding: try JSONEncoder().encode(pending), as: UTF8.self)
        _ = try await redis.set(key(state), text, expiresIn: Self.stateLifetime)
        return Started(authorizationURL: url.absoluteString, expiresIn: Int(Self.stateLifetime.components.seconds))
    }

    /// Finishes a connection the person consented to (or refused) on the platform.
    /// - Throws: 400 for an unknown, used or expired state or a refused consent; 422 when the platform
    ///   refuses the code; 403 when the user may no longer connect channels in the organization.
    func callback(provider identifier: String, state: String?, code: String?, error: String?, origin: RequestOrigin) async throws -> Integration {
        let provider = try oauthProvider(identifier)
        guard let state, !state.isEmpty, state.count <= 128,
              let text = try await redis.take(key(state)),
              let pending = try? JSONDecoder().decode(Pending.self, from: Data(text.utf8)), pending.provider == identifier
        else {
            throw APIError(.badRequest, "invalid_oauth_state",
                           "this connect link is unknown, was already used or expired (they last \(Self.stateLifetime.components.seconds / 60) minutes); start connecting again")
        }
        if let error {
            let refused = error == "access_denied" ? "you did not authorize ARKYRA on \(identifier)" : "\(identifier) answered \(error.prefix(100))"
            throw APIError(.badRequest, "consent_denied", "\(refused); no channel was connected")
        }
        guard let code, !code.isEmpty, code.count <= 2048 else {
            throw APIError(.badRequest, "missing_code", "\(identifier) sent no authorization code; start connecting again")
        }
        // The person may have lost the right to connect channels while on the platform's page.
        _ = try await organizations.authorize(.connectChannels, organization: pending.organizationID.uuidString, userID: pending.userID)
        let connected: ConnectedAccount
        do {
            connected = try await provider.exchange(code: code, verifier: pending.verifier, redirectURI: redirectURI(for: identifier))
        } catch let error as ProviderError {
            throw IntegrationService.apiError(for: error, provider: identifier, secretField: "code")
        }
        logger.info("channel connected through consent", metadata: ["provider": "\(identifier)", "organization_id": "\(pending.organizationID)"])
        return try await integrations.store(connected, provider: identifier, organizationID: pending.organizationID, by: pending.userID, origin: origin)
    }

    private func oauthProvider(_ identifier: String) throws -> any OAuthProvider {
        guard let provider = providers.provider(for: identifier) else {
            throw APIError.validation(["provider": "must be one of: \(providers.identifiers.joined(separator: ", "))"])
        }
        guard let oauth = provider as? any OAuthProvider else {
            throw APIError(.unprocessableContent, "connect_with_credentials",
                           "\(identifier) accounts connect with \(provider.connectMethod == .accessToken ? "an access token" : "an identifier and an app password"), not a consent page",
                           fields: ["provider": "connects with credentials"])
        }
        return oauth
    }

    private func key(_ state: String) -> String { redis.key("oauth-state:\(state)") }
}
