import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// A channel's credentials for publishing: decrypted from the database and, for platforms whose tokens
/// expire, refreshed shortly before they do or when the platform says they have. One worker at a time
/// refreshes a channel — it holds the channel's refresh lease in PostgreSQL, not a row lock, since the
/// refresh is an HTTP call — and workers that find the lease taken wait for what it stores.
struct ChannelCredentials: Sendable {
    let database: Database
    let integrations: IntegrationRepository
    let secrets: ChannelSecrets
    let metrics: WorkerMetrics
    let logger: Logger
    /// How long a refresh lease lasts: longer than any refresh call (whose deadline is the outbound timeout),
    /// so that it runs out only when its holder stopped.
    var leaseSeconds = 90
    /// How long a worker waits for another one's refresh, and how often it looks.
    var waitForOthers: Duration = .seconds(20)
    var lookEvery: Duration = .milliseconds(250)

    /// Credentials to publish with: the stored ones, refreshed first when they expire within the platform's
    /// margin (``Provider/tokenRefreshMargin``).
    /// - Throws: ``ProviderError`` from a refresh, or a decryption error.
    func usable(_ integration: Integration, stored: IntegrationRepository.StoredCredentials, provider: any Provider) async throws -> ProviderCredentials {
        if let expiresAt = stored.expiresAt, expiresAt.timeIntervalSinceNow < provider.tokenRefreshMargin, stored.encryptedRefreshToken != nil {
            return try await refresh(integration, replacing: stored, provider: provider)
        }
        return try open(stored, of: integration)
    }

    /// Refreshes the channel's credentials, unless another worker already replaced `stale`; while another
    /// worker is refreshing them, waits for its result.
    /// - Throws: ``ProviderError``: `.invalidCredentials` when the platform refused the refresh or the channel
    ///   is no longer connected; `.unavailable` when another worker's refresh did not finish in time;
    ///   transient errors as the provider reports them.
    func refresh(_ integration: Integration, replacing stale: IntegrationRepository.StoredCredentials, provider: any Provider) async throws -> ProviderCredentials {
        let clock = ContinuousClock()
        let giveUp = clock.now + waitForOthers
        while true {
            switch try await integrations.claimRefresh(id: integration.id, stale: stale, seconds: leaseSeconds, client: database) {
            case .claimed:
                return try await refreshHoldingLease(integration, stale: stale, provider: provider)
            case .replaced(let current):
                return try open(current, of: integration)
            case .disconnected:
                throw ProviderError.invalidCredentials(message: "the channel is no longer connected")
            case .busy:
                guard clock.now < giveUp else {
                    throw ProviderError.unavailable(message: "another worker is refreshing the channel's token")
                }
                try await Task.sleep(for: lookEvery)
            }
        }
    }

    private func refreshHoldingLease(_ integration: Integration, stale: IntegrationRepository.StoredCredentials, provider: any Provider) async throws -> ProviderCredentials {
        let fresh: ProviderCredentials
        do {
            fresh = try await provider.refresh(try open(stale, of: integration))
        } catch {
            metrics.tokenRefresh(platform: integration.provider, succeeded: false)
            try? await integrations.releaseRefresh(id: integration.id, client: database)
            throw error
        }
        guard try await integrations.storeRefreshed(id: integration.id, replacing: stale, with: try secrets.seal(fresh, integrationID: integration.id), client: database) else {
            // Only a person reconnecting the channel replaces credentials while the lease is held.
            throw ProviderError.invalidCredentials(message: "the channel was reconnected meanwhile")
        }
        metrics.tokenRefresh(platform: integration.provider, succeeded: true)
        logger.info("refreshed the channel's token", metadata: ["integration_id": "\(integration.id)"])
        return fresh
    }

    func open(_ stored: IntegrationRepository.StoredCredentials, of integration: Integration) throws -> ProviderCredentials {
        try secrets.open(stored, integrationID: integration.id, instanceURL: integration.instanceURL)
    }
}
