import Foundation
import Logging
import PostgresNIO

/// Counts across every organization, for the operators' gauges that arkyra-cron serves on `/metrics`. The
/// only queries on tenant data that do not filter by organization: they return numbers, never rows.
package struct InstallationTotalsRepository: Sendable {
    /// How many posts or channels of one platform are in one state.
    package struct Count: Sendable, Equatable {
        package var platform: String
        package var state: String
        package var count: Int
    }

    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    /// Posts waiting to be published or being published, by platform and state.
    package func waitingPosts(client: Database) async throws -> [Count] {
        try await counts(
            """
            SELECT i.provider, p.state, count(*)::bigint FROM posts p JOIN integrations i ON i.id = p.integration_id
            WHERE p.state IN ('scheduled', 'publishing') AND p.deleted_at IS NULL GROUP BY 1, 2
            """,
            client: client
        )
    }

    /// Channels by platform and state (`connected`, `refresh_needed`, `disabled`), plus the pseudo-state
    /// `expiring`: connected channels whose token runs out before `before` with no refresh token to renew
    /// it, which a person must reconnect.
    package func channels(expiringBefore before: Date, client: Database) async throws -> [Count] {
        try await counts(
            """
            SELECT provider, state, count(*)::bigint FROM integrations WHERE deleted_at IS NULL GROUP BY 1, 2
            UNION ALL
            SELECT provider, 'expiring', count(*)::bigint FROM integrations
            WHERE deleted_at IS NULL AND state = 'connected' AND refresh_token_encrypted IS NULL AND token_expires_at < \(before)
            GROUP BY 1
            """,
            client: client
        )
    }

    private func counts(_ query: PostgresQuery, client: Database) async throws -> [Count] {
        var result: [Count] = []
        for try await (platform, state, count) in try await client.query(query, logger: logger).decode((String, String, Int64).self) {
            result.append(Count(platform: platform, state: state, count: Int(count)))
        }
        return result
    }
}
