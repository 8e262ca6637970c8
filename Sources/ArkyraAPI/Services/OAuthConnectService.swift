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
    /// Seals the credentials a login waiting for its choice keeps in Redis.
    let cipher: TokenCipher
    let logger: Logger
    static let stateLifetime = Duration.seconds(600)
    /// How long a login that holds several places waits for the person to choose one.
    static let choiceLifetime = Duration.seconds(900)

    /// How a callback ends: a channel, or (where one login holds several places) places to choose from.
    enum Outcome {
        case connected(Integration)
        case choose(PendingChoice)
    }

    /// How a callback ended, and where the browser that started it asked to be sent back (the web app's
    /// channels page; nil for API clients, which read the JSON).
    struct Finished {
        var outcome: Outcome
        var organizationID: UUID
        var returnTo: String?
    }

    /// A callback whose state was known but that failed (a denied consent, a refused code): the error, and
    /// where the browser that started it should read it.
    struct CallbackFailure: Error {
        var error: APIError
        var returnTo: String
    }

    /// A login waiting for the person to choose where to post.
    struct PendingChoice: Encodable {
        var status = "choose"
        var id: String
        var provider: String
        var account: String
        var choices: [ProviderChoice]
        var expiresIn: Int

        enum CodingKeys: String, CodingKey {
            case status, id, provider, account, choices
            case expiresIn = "expires_in"
        }
    }

    /// What Redis keeps of a login waiting for its choice.
    private struct Waiting: Codable {
        var provider: String
        var organizationID: UUID
        var userID: UUID
        var account: ProviderAccount
        /// The credentials, sealed to this waiting login.
        var sealedCredentials: String
    }

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
        var returnTo: String?
    }

    func redirectURI(for provider: String) -> String {
        var base = publicURL
        while base.hasSuffix("/") { base.removeLast() }
        return "\(base)/api/v1/oauth/\(provider)/callback"
    }

    /// The consent page to send the person to.
    /// - Throws: 422 for a platform that does not connect this way; 503 when this installation has no app
    ///   on the platform (naming the setting).
    func start(provider identifier: String, organizationID: UUID, userID: UUID, returnTo: String? = nil) async throws -> Started {
        let provider = try oauthProvider(identifier)
        let state = PKCE.makeVerifier()
        let verifier = PKCE.makeVerifier()
        guard let url = provider.authorizationURL(state: state, challenge: PKCE.challenge(for: verifier), redirectURI: redirectURI(for: identifier)) else {
            throw APIError(.serviceUnavailable, "platform_not_configured",
                           "this installation has no \(identifier) app yet; an administrator sets \(provider.clientIDSetting) (see docs/configuration.md)")
        }
        let pending = Pending(provider: identifier, organizationID: organizationID, userID: userID, verifier: verifier, returnTo: returnTo)
        let text = String(decoding: try JSONEncoder().encode(pending), as: UTF8.self)
        _ = try await redis.set(key(state), text, expiresIn: Self.stateLifetime)
        return Started(authorizationURL: url.absoluteString, expiresIn: Int(Self.stateLifetime.components.seconds))
    }

    /// Finishes a connection the person consented to (or refused) on the platform.
    /// - Throws: 400 for an unknown, used or expired state or a refused consent; 422 when the platform
    ///   refuses the code; 403 when the user may no longer connect channels in the organization.
    func callback(provider identifier: String, state: String?, code: String?, error: String?, origin: RequestOrigin) async throws -> Finished {
        let provider = try oauthProvider(identifier)
        guard let state, !state.isEmpty, state.count <= 128,
              let text = try await redis.take(key(state)),
              let pending = try? JSONDecoder().decode(Pending.self, from: Data(text.utf8)), pending.provider == identifier
        else {
            throw APIError(.badRequest, "invalid_oauth_state",
                           "this connect link is unknown, was already used or expired (they last \(Self.stateLifetime.components.seconds / 60) minutes); start connecting again")
        }
        do {
            let outcome = try await finish(provider, identifier: identifier, pending: pending, code: code, error: error, origin: origin)
            return Finished(outcome: outcome, organizationID: pending.organizationID, returnTo: pending.returnTo)
        } catch let failure as APIError {
            guard let returnTo = pending.returnTo else { throw failure }
            throw CallbackFailure(error: failure, returnTo: returnTo)
        }
    }

    private func finish(_ provider: any OAuthProvider, identifier: String, pending: Pending, code: String?, error: String?,
                        origin: RequestOrigin) async throws -> Outcome {
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
        if let choosing = provider as? any ChoosingProvider {
            return .choose(try await wait(for: connected, of: choosing, organizationID: pending.organizationID, userID: pending.userID))
        }
        logger.info("channel connected through consent", metadata: ["provider": "\(identifier)", "organization_id": "\(pending.organizationID)"])
        return .connected(try await integrations.store(connected, provider: identifier, organizationID: pending.organizationID, by: pending.userID, origin: origin))
    }

    /// Keeps a login that holds several places until the person chooses one.
    private func wait(for connected: ConnectedAccount, of provider: any ChoosingProvider, organizationID: UUID, userID: UUID) async throws -> PendingChoice {
        let choices: [ProviderChoice]
        do {
            choices = try await provider.choices(for: connected)
        } catch let error as ProviderError {
            throw IntegrationService.apiError(for: error, provider: provider.identifier, secretField: "code")
        }
        guard !choices.isEmpty else {
            throw APIError(.unprocessableContent, "nothing_to_choose", "\(connected.account.name) has no place \(provider.displayName) lets ARKYRA post to; create one, then connect again")
        }
        let id = PKCE.makeVerifier()
        let credentials = String(decoding: try JSONEncoder().encode(StoredCredentials(connected.credentials)), as: UTF8.self)
        let waiting = Waiting(provider: provider.identifier, organizationID: organizationID, userID: userID, account: connected.account,
                              sealedCredentials: try cipher.seal(credentials, boundTo: "pending-choice:\(id)"))
        _ = try await redis.set(choiceKey(id), String(decoding: try JSONEncoder().encode(waiting), as: UTF8.self), expiresIn: Self.choiceLifetime)
        return PendingChoice(id: id, provider: provider.identifier, account: connected.account.name, choices: choices,
                             expiresIn: Int(Self.choiceLifetime.components.seconds))
    }

    /// The places a waiting login may post to (asked again of the platform).
    /// - Throws: 404 for a waiting login that is unknown, expired, or someone else's.
    func pendingChoice(_ id: String, organizationID: UUID, userID: UUID) async throws -> PendingChoice {
        let (waiting, connected, provider) = try await waitingLogin(id, organizationID: organizationID, userID: userID)
        do {
            return PendingChoice(id: id, provider: waiting.provider, account: waiting.account.name, choices: try await provider.choices(for: connected),
                                 expiresIn: Int(Self.choiceLifetime.components.seconds))
        } catch let error as ProviderError {
            throw IntegrationService.apiError(for: error, provider: waiting.provider, secretField: "choice")
        }
    }

    /// Connects the place `choice` of a waiting login; the login waits on for the person's other choices.
    /// - Throws: 404 for an unknown waiting login; 422 for a choice that is not one of its places.
    func choose(_ choice: String, pending id: String, organizationID: UUID, userID: UUID, origin: RequestOrigin) async throws -> Integration {
        let (waiting, connected, provider) = try await waitingLogin(id, organizationID: organizationID, userID: userID)
        let chosen: ConnectedAccount
        do {
            chosen = try await provider.choose(choice, of: connected)
        } catch ProviderError.rejected(_, let message) {
            throw APIError.validation(["choice": message])
        } catch let error as ProviderError {
            throw IntegrationService.apiError(for: error, provider: waiting.provider, secretField: "choice")
        }
        logger.info("channel connected through consent and a choice", metadata: ["provider": "\(waiting.provider)", "organization_id": "\(organizationID)"])
        return try await integrations.store(chosen, provider: waiting.provider, organizationID: organizationID, by: userID, origin: origin)
    }

    private func waitingLogin(_ id: String, organizationID: UUID, userID: UUID) async throws -> (Waiting, ConnectedAccount, any ChoosingProvider) {
        guard id.count <= 128, let text = try await redis.get(choiceKey(id)),
              let waiting = try? JSONDecoder().decode(Waiting.self, from: Data(text.utf8)),
              waiting.organizationID == organizationID, waiting.userID == userID,
              let provider = providers.provider(for: waiting.provider) as? any ChoosingProvider,
              let opened = try? cipher.open(waiting.sealedCredentials, boundTo: "pending-choice:\(id)"),
              let credentials = try? JSONDecoder().decode(StoredCredentials.self, from: Data(opened.utf8))
        else {
            throw APIError(.notFound, "unknown_pending_choice",
                           "this choice is unknown or expired (it waits \(Self.choiceLifetime.components.seconds / 60) minutes after the consent page); connect again")
        }
        return (waiting, ConnectedAccount(account: waiting.account, credentials: credentials.credentials), provider)
    }

    /// Credentials as JSON (``ProviderCredentials`` is not Codable itself).
    private struct StoredCredentials: Codable {
        var accessToken: String
        var refreshToken: String?
        var expiresAt: Date?
        var instanceURL: URL?

        init(_ credentials: ProviderCredentials) {
            accessToken = credentials.accessToken
            refreshToken = credentials.refreshToken
            expiresAt = credentials.expiresAt
            instanceURL = credentials.instanceURL
        }

        var credentials: ProviderCredentials {
            ProviderCredentials(accessToken: accessToken, refreshToken: refreshToken, expiresAt: expiresAt, instanceURL: instanceURL)
        }
    }

    private func choiceKey(_ id: String) -> String { redis.key("pending-choice:\(id)") }

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
