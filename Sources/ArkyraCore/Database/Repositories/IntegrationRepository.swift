import Foundation
import Logging
import PostgresNIO

/// Connected channels. Tokens go in and come out encrypted; decrypting is the caller's business.
package struct IntegrationRepository: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    /// What connecting a channel stores.
    package struct NewIntegration: Sendable {
        /// The row's id, chosen before it is stored: the tokens are sealed bound to it.
        package var id: UUID
        package var organizationID: UUID
        package var provider: String
        package var externalID: String
        package var name: String
        package var username: String
        package var avatarURL: String?
        package var instanceURL: String?
        package var credentials: StoredCredentials

        package init(id: UUID = UUID(), organizationID: UUID, provider: String, externalID: String, name: String, username: String,
                     avatarURL: String?, instanceURL: String?, credentials: StoredCredentials) {
            self.id = id
            self.organizationID = organizationID
            self.provider = provider
            self.externalID = externalID
            self.name = name
            self.username = username
            self.avatarURL = avatarURL
            self.instanceURL = instanceURL
            self.credentials = credentials
        }
    }

    /// A channel's tokens as stored: encrypted, with the access token's expiry when the platform gave one.
    package struct StoredCredentials: Sendable, Equatable {
        package var encryptedAccessToken: String
        package var encryptedRefreshToken: String?
        package var expiresAt: Date?

        package init(encryptedAccessToken: String, encryptedRefreshToken: String? = nil, expiresAt: Date? = nil) {
            self.encryptedAccessToken = encryptedAccessToken
            self.encryptedRefreshToken = encryptedRefreshToken
            self.expiresAt = expiresAt
        }
    }

    static let columns = "id, organization_id, provider, external_id, name, username, avatar_url, instance_url, state, created_at, customer_id, posting_times"

    /// Inserts a channel.
    /// - Throws: ``RepositoryError/conflict(_:)`` when the organization already has this account connected.
    package func create(_ new: NewIntegration, on connection: PostgresConnection) async throws -> Integration {
        try await mappingConflicts {
            let rows = try await connection.query(
                """
                INSERT INTO integrations (id, organization_id, provider, external_id, name, username, avatar_url, instance_url,
                                          access_token_encrypted, refresh_token_encrypted, token_expires_at)
                VALUES (\(new.id), \(new.organizationID), \(new.provider), \(new.externalID), \(new.name), \(new.username), \(new.avatarURL),
                        \(new.instanceURL), \(new.credentials.encryptedAccessToken), \(new.credentials.encryptedRefreshToken),
                        \(new.credentials.expiresAt))
                RETURNING \(unescaped: Self.columns)
                """,
                logger: logger
            )
            guard let integration = try await Self.decode(rows).first else { throw PostgresDecodingError.Code.missingData }
            return integration
        }
    }

    /// Marks a channel whose token the platform refused: a person must reconnect it.
    package func markRefreshNeeded(id: UUID, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE integrations SET state = 'refresh_needed', updated_at = now() WHERE id = \(id) AND state = 'connected'", logger: logger
        )
    }

    /// The channel of `new`'s account that waits to be reconnected, locked until the caller's transaction ends;
    /// nil when the organization has none.
    package func reconnectableID(for new: NewIntegration, on connection: PostgresConnection) async throws -> UUID? {
        let rows = try await connection.query(
            """
            SELECT id FROM integrations
            WHERE organization_id = \(new.organizationID) AND provider = \(new.provider) AND coalesce(instance_url, '') = \(new.instanceURL ?? "")
              AND external_id = \(new.externalID) AND state <> 'connected' AND deleted_at IS NULL
            FOR UPDATE
            """,
            logger: logger
        )
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }

    /// Gives the channel `id` (from ``reconnectableID(for:on:)``) `new`'s token and profile and connects it again.
    /// A consent that gave no refresh token keeps the one the channel had (some platforms give it only the first
    /// time a person consents).
    package func reconnect(id: UUID, with new: NewIntegration, on connection: PostgresConnection) async throws -> Integration? {
        try await Self.decode(connection.query(
            """
            UPDATE integrations SET access_token_encrypted = \(new.credentials.encryptedAccessToken),
                   refresh_token_encrypted = coalesce(\(new.credentials.encryptedRefreshToken), refresh_token_encrypted),
                   token_expires_at = \(new.credentials.expiresAt),
                   state = 'connected', name = \(new.name), username = \(new.username), avatar_url = \(new.avatarURL),
                   refresh_lease_until = NULL, updated_at = now()
            WHERE id = \(id) AND organization_id = \(new.organizationID)
            RETURNING \(unescaped: Self.columns)
            """,
            logger: logger
        )).first
    }

    /// The organization's channels, oldest first.
    package func list(organizationID: UUID, client: Database) async throws -> [Integration] {
        try await Self.decode(client.query(
            """
            SELECT \(unescaped: Self.columns) FROM integrations
            WHERE organization_id = \(organizationID) AND deleted_at IS NULL ORDER BY created_at, id
            """,
            logger: logger
        ))
    }

    /// The channels among `ids` that belong to `organizationID`.
    package func find(ids: [UUID], organizationID: UUID, client: Database) async throws -> [Integration] {
        try await Self.decode(client.query(
            """
            SELECT \(unescaped: Self.columns) FROM integrations
            WHERE organization_id = \(organizationID) AND id = ANY(\(ids)) AND deleted_at IS NULL
            """,
            logger: logger
        ))
    }

    /// A channel with its stored credentials.
    package func withCredentials(id: UUID, organizationID: UUID, client: Database) async throws -> (integration: Integration, credentials: StoredCredentials)? {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.columns), access_token_encrypted, refresh_token_encrypted, token_expires_at FROM integrations
            WHERE id = \(id) AND organization_id = \(organizationID) AND deleted_at IS NULL
            """,
            logger: logger
        )
        typealias Row = (UUID, UUID, String, String, String, String, String?, String?, String, Date, UUID?, [Int], String, String?, Date?)
        for try await row in rows.decode(Row.self) {
            let integration = Self.make((row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, row.10, row.11))
            return (integration, StoredCredentials(encryptedAccessToken: row.12, encryptedRefreshToken: row.13, expiresAt: row.14))
        }
        return nil
    }

    /// Marks a channel removed; false when the organization has no such channel. Its posts keep pointing at
    /// it (history), and connecting the same account again makes a new channel.
    package func softDelete(id: UUID, organizationID: UUID, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE integrations SET deleted_at = now(), updated_at = now()
            WHERE id = \(id) AND organization_id = \(organizationID) AND deleted_at IS NULL RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    /// What asking for a channel's refresh lease found.
    package enum RefreshClaim: Sendable, Equatable {
        /// This caller holds the lease and refreshes the stale credentials.
        case claimed
        /// Another worker already replaced the stale credentials: use these.
        case replaced(StoredCredentials)
        /// Another worker holds the lease and has not stored new credentials yet.
        case busy
        /// The channel is gone or no longer connected.
        case disconnected
    }

    /// Takes the channel's refresh lease for `seconds` when its credentials are still `stale` and nobody
    /// holds the lease — one statement, no lock held afterwards.
    package func claimRefresh(id: UUID, stale: StoredCredentials, seconds: Int, client: Database) async throws -> RefreshClaim {
        let rows = try await client.query(
            """
            WITH current AS (
                SELECT id, state, access_token_encrypted, refresh_token_encrypted, token_expires_at, refresh_lease_until
                FROM integrations WHERE id = \(id) AND deleted_at IS NULL FOR UPDATE
            ), claimed AS (
                UPDATE integrations i SET refresh_lease_until = now() + make_interval(secs => \(seconds))
                FROM current c
                WHERE i.id = c.id AND c.state = 'connected' AND c.access_token_encrypted = \(stale.encryptedAccessToken)
                  AND (c.refresh_lease_until IS NULL OR c.refresh_lease_until < now())
                RETURNING i.id
            )
            SELECT c.state, c.access_token_encrypted, c.refresh_token_encrypted, c.token_expires_at, EXISTS (SELECT 1 FROM claimed)
            FROM current c
            """,
            logger: logger
        )
        for try await (state, access, refresh, expiresAt, claimed) in rows.decode((String, String, String?, Date?, Bool).self) {
            if claimed { return .claimed }
            if state != Integration.State.connected.rawValue { return .disconnected }
            if access != stale.encryptedAccessToken {
                return .replaced(StoredCredentials(encryptedAccessToken: access, encryptedRefreshToken: refresh, expiresAt: expiresAt))
            }
            return .busy
        }
        return .disconnected
    }

    /// Stores refreshed credentials in place of `stale` and gives the refresh lease back; false when the
    /// stored credentials are no longer `stale` (nothing is written).
    @discardableResult
    package func storeRefreshed(id: UUID, replacing stale: StoredCredentials, with fresh: StoredCredentials, client: Database) async throws -> Bool {
        let rows = try await client.query(
            """
            UPDATE integrations SET access_token_encrypted = \(fresh.encryptedAccessToken),
                   refresh_token_encrypted = \(fresh.encryptedRefreshToken), token_expires_at = \(fresh.expiresAt),
                   refresh_lease_until = NULL, updated_at = now()
            WHERE id = \(id) AND access_token_encrypted = \(stale.encryptedAccessToken)
            RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    /// Gives the refresh lease back without new credentials (the refresh failed).
    package func releaseRefresh(id: UUID, client: Database) async throws {
        try await client.query("UPDATE integrations SET refresh_lease_until = NULL WHERE id = \(id)", logger: logger)
    }

    /// Changes a channel's customer (`.some(nil)` removes it) and/or posting times; nil when the organization
    /// has no such channel.
    /// Changes a channel's settings; `disabled` true disables it, false enables a disabled one (a channel
    /// that needs reconnecting stays so).
    package func update(id: UUID, organizationID: UUID, customerID: UUID??, postingTimes: [Int]?, disabled: Bool? = nil,
                        on connection: PostgresConnection) async throws -> Integration? {
        let setsCustomer = customerID != nil
        return try await Self.decode(connection.query(
            """
            UPDATE integrations SET customer_id = CASE WHEN \(setsCustomer) THEN \(customerID ?? nil)::uuid ELSE customer_id END,
                   posting_times = coalesce(\(postingTimes)::integer[], posting_times), updated_at = now(),
                   state = CASE WHEN \(disabled) IS TRUE THEN 'disabled' WHEN \(disabled) IS FALSE AND state = 'disabled' THEN 'connected' ELSE state END
            WHERE id = \(id) AND organization_id = \(organizationID) AND deleted_at IS NULL
            RETURNING \(unescaped: Self.columns)
            """,
            logger: logger
        )).first
    }

    private typealias Columns = (UUID, UUID, String, String, String, String, String?, String?, String, Date, UUID?, [Int])

    private static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [Integration] {
        var result: [Integration] = []
        for try await row in rows.decode(Columns.self) {
            result.append(make(row))
        }
        return result
    }

    /// A channel from a row holding ``columns`` by their names, each prefixed with `prefix`.
    static func integration(_ row: PostgresRandomAccessRow, prefix: String = "") throws -> Integration {
        Integration(
            id: try row[prefix + "id"].decode(UUID.self), organizationID: try row[prefix + "organization_id"].decode(UUID.self),
            provider: try row[prefix + "provider"].decode(String.self), externalID: try row[prefix + "external_id"].decode(String.self),
            name: try row[prefix + "name"].decode(String.self), username: try row[prefix + "username"].decode(String.self),
            avatarURL: try row[prefix + "avatar_url"].decode(String?.self), instanceURL: try row[prefix + "instance_url"].decode(String?.self),
            state: Integration.State(rawValue: try row[prefix + "state"].decode(String.self)) ?? .disabled,
            createdAt: try row[prefix + "created_at"].decode(Date.self), customerID: try row[prefix + "customer_id"].decode(UUID?.self),
            postingTimes: try row[prefix + "posting_times"].decode([Int]?.self) ?? []
        )
    }

    private static func make(_ row: Columns) -> Integration {
        Integration(
            id: row.0, organizationID: row.1, provider: row.2, externalID: row.3, name: row.4, username: row.5,
            avatarURL: row.6, instanceURL: row.7, state: Integration.State(rawValue: row.8) ?? .disabled, createdAt: row.9,
            customerID: row.10, postingTimes: row.11
        )
    }
}
