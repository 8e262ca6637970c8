import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// A channel's credentials for publishing: decrypted from the database and, for platforms whose tokens
/// expire, refreshed shortly before they do or when the platform says they have. One worker at a time
/// refreshes a channel (its row is locked meanwhile); a worker that waited uses what the other one stored.
struct ChannelCredentials: Sendable {
    let database: Database
    let integrations: IntegrationRepository
    let cipher: TokenCipher
    let logger: Logger
    /// Credentials expiring within this margin are refreshed before use.
    static let refreshMargin: TimeInterval = 120

    /// Credentials to publish with: the stored ones, refreshed first when they expire within the margin.
    /// - Throws: ``ProviderError`` from a refresh, or a decryption error.
    func usable(_ integration: Integration, stored: IntegrationRepository.StoredCredentials, provider: any Provider) async throws -> ProviderCredentials {
        if let expiresAt = stored.expiresAt, expiresAt.timeIntervalSinceNow < Self.refreshMargin, stored.encryptedRefreshToken != nil {
            return try await refresh(integration, replacing: stored, provider: provider)
        }
        return try open(stored, instanceURL: integration.instanceURL)
    }

    /// Refreshes the channel's credentials, unless another worker already replaced `stale`.
    /// - Throws: ``ProviderError``: `.invalidCredentials` when the platform refused the refresh or the channel
    ///   is no longer connected; transient errors as the provider reports them.
    func refresh(_ integration: Integration, replacing stale: IntegrationRepository.StoredCredentials, provider: any Provider) async throws -> ProviderCredentials {
        try await database.inTransaction(logger: logger) { connection in
            guard let current = try await integrations.lockCredentials(id: integration.id, on: connection) else {
                throw ProviderError.invalidCredentials(message: "the channel is no longer connected")
            }
            if current.encryptedAccessToken != stale.encryptedAccessToken {
                return try open(current, instanceURL: integration.instanceURL)
            }
            let fresh = try await provider.refresh(try open(current, instanceURL: integration.instanceURL))
            try await integrations.storeCredentials(id: integration.id, try seal(fresh), on: connection)
            logger.info("refreshed the channel's token", metadata: ["integration_id": "\(integration.id)"])
            return fresh
        }
    }

    func open(_ stored: IntegrationRepository.StoredCredentials, instanceURL: String?) throws -> ProviderCredentials {
        ProviderCredentials(
            accessToken: try cipher.open(stored.encryptedAccessToken),
            refreshToken: try stored.encryptedRefreshToken.map(cipher.open),
            expiresAt: stored.expiresAt,
            instanceURL: instanceURL.flatMap(URL.init(string:))
        )
    }

    func seal(_ credentials: ProviderCredentials) throws -> IntegrationRepository.StoredCredentials {
        IntegrationRepository.StoredCredentials(
            encryptedAccessToken: try cipher.seal(credentials.accessToken),
            encryptedRefreshToken: try credentials.refreshToken.map(cipher.seal),
            expiresAt: credentials.expiresAt
        )
    }
}
