import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// Connecting channels: checks the credentials with the platform, then stores the channel with its token
/// encrypted.
struct IntegrationService: Sendable {
    let database: PostgresClient
    let integrations: IntegrationRepository
    let audit: AuditRepository
    let providers: ProviderRegistry
    let cipher: TokenCipher
    let urlPolicy: OutboundURLPolicy
    let logger: Logger

    func connect(organizationID: UUID, provider identifier: String, instanceURL: String?, accessToken: String,
                 by userID: UUID, origin: RequestOrigin) async throws -> Integration {
        guard let provider = providers.provider(for: identifier) else {
            throw APIError.validation(["provider": "must be one of: \(providers.identifiers.joined(separator: ", "))"])
        }
        var fields: [String: String] = [:]
        let token = accessToken.trimmingCharacters(in: .whitespacesAndNewlines)
        if token.isEmpty || token.count > 4096 { fields["access_token"] = "must be 1 to 4096 characters" }
        var instance: URL?
        if provider.requiresInstanceURL {
            switch urlPolicy.validate(instanceURL ?? "") {
            case .success(let url): instance = url
            case .failure(let refusal): fields["instance_url"] = instanceURL == nil ? "is required for \(identifier)" : refusal.message
            }
        }
        guard fields.isEmpty else { throw APIError.validation(fields) }

        let account: ProviderAccount
        do {
            account = try await provider.connect(ProviderCredentials(accessToken: token, instanceURL: instance))
        } catch let error as ProviderError {
            throw Self.apiError(for: error, provider: identifier)
        }
        let new = IntegrationRepository.NewIntegration(
            organizationID: organizationID, provider: identifier, externalID: account.id, name: account.name,
            username: account.username, avatarURL: account.avatarURL, instanceURL: instance?.absoluteString,
            encryptedAccessToken: try cipher.seal(token)
        )
        do {
            return try await database.inTransaction(logger: logger) { connection in
                let integration = try await integrations.create(new, on: connection)
                try await audit.record(
                    AuditEvent(organizationID: organizationID, actorUserID: userID, action: "integration.connected", targetType: "integration",
                               targetID: integration.id.uuidString, origin: origin),
                    on: connection
                )
                return integration
            }
        } catch RepositoryError.conflict {
            // Connecting an account again is how a channel whose token was refused gets its new token.
            let reconnected = try await database.inTransaction(logger: logger) { connection -> Integration? in
                guard let integration = try await integrations.reconnect(new, on: connection) else { return nil }
                try await audit.record(
                    AuditEvent(organizationID: organizationID, actorUserID: userID, action: "integration.reconnected", targetType: "integration",
                               targetID: integration.id.uuidString, origin: origin),
                    on: connection
                )
                return integration
            }
            guard let reconnected else {
                throw APIError(.conflict, "channel_exists", "this \(identifier) account is already connected to the organization")
            }
            return reconnected
        }
    }

    func list(organizationID: UUID) async throws -> [Integration] {
        try await integrations.list(organizationID: organizationID, client: database)
    }

    static func apiError(for error: ProviderError, provider: String) -> APIError {
        switch error {
        case .invalidCredentials(let message):
            return APIError(.unprocessableContent, "channel_rejected", "\(provider) refused the access token: \(message)", fields: ["access_token": "was refused by \(provider)"])
        case .rejected(_, let message):
            return APIError(.unprocessableContent, "channel_rejected", "\(provider) refused the connection: \(message)")
        case .rateLimited(let retryAt, _):
            let seconds = retryAt.map { max(1, Int($0.timeIntervalSinceNow.rounded(.up))) } ?? 60
            return APIError(.serviceUnavailable, "platform_rate_limited", "\(provider) is rate limiting us; try again in \(seconds) s", headers: ["Retry-After": String(seconds)])
        case .unavailable(let message), .outcomeUnknown(let message):
            return APIError(.badGateway, "platform_unavailable", "\(provider) could not be reached: \(message)")
        }
    }
}
