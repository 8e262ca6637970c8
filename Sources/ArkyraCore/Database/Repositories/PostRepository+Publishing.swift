import Foundation
import PostgresNIO

/// The statements a worker runs for every post it publishes, prepared once per connection: PostgreSQL parses
/// and plans them once instead of on every post (in a burst they are most of its work).
extension PostRepository {
    /// The claim and, in the same statement, the post's channel with its stored credentials.
    struct ClaimStatement: PostgresPreparedStatement {
        typealias Row = (
            UUID, UUID, UUID, UUID?, Int, UUID, String, String, Date?, String, String?, String?, String?, Date?, Date, Date, Int, String?,
            String, Date,
            UUID?, UUID?, String?, String?, String?, String?, String?, String?, String?, Date?, UUID?, [Int]?, String?, String?, Date?
        )
        static let sql = """
            WITH before AS (SELECT id, state, updated_at FROM posts WHERE id = $1 AND deleted_at IS NULL FOR UPDATE),
            claimed AS (
                UPDATE posts SET state = 'publishing', attempt = posts.attempt + 1, lease_owner = $2, updated_at = now(), attempt_started_at = now()
                FROM before
                WHERE posts.id = before.id
                  AND ((before.state = 'scheduled' AND posts.publish_at <= now() + interval '2 seconds')
                       OR (before.state = 'publishing' AND posts.lease_owner = $3::text))
                RETURNING posts.*, before.state AS previous_state, before.updated_at AS previously_updated_at
            )
            SELECT \(qualified(PostRepository.columns, "c")), c.previous_state, c.previously_updated_at,
                   \(qualified(IntegrationRepository.columns, "i")), i.access_token_encrypted, i.refresh_token_encrypted, i.token_expires_at
            FROM claimed c
            LEFT JOIN integrations i ON i.id = c.integration_id AND i.organization_id = c.organization_id AND i.deleted_at IS NULL
            """
        var id: UUID
        var owner: String
        var staleOwner: String?

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(id)
            bindings.append(owner)
            if let staleOwner { bindings.append(staleOwner) } else { bindings.appendNull() }
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }

        /// `id, name` → `c.id, c.name`.
        static func qualified(_ columns: String, _ alias: String) -> String {
            columns.split(separator: ",").map { "\(alias)." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")
        }
    }

    /// Moves a scheduled post (once it is due) to `publishing` under `owner`, with a new attempt number that fences every later
    /// write. A post still `publishing` under `staleOwner` (a worker that stopped) is taken over. Nil when the
    /// post is not there to claim (published, deleted, or held by a live worker), which makes a duplicated
    /// job harmless. The claim brings the post's channel and credentials along (one round trip per post).
    public func claimForPublishing(id: UUID, owner: String, staleOwner: String?, client: PostgresClient) async throws -> Claim? {
        for try await r in try await client.execute(ClaimStatement(id: id, owner: owner, staleOwner: staleOwner), logger: logger) {
            let post = Self.make((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12, r.13, r.14, r.15, r.16, r.17))
            var channel: (integration: Integration, credentials: IntegrationRepository.StoredCredentials)?
            if let channelID = r.20, let organizationID = r.21, let provider = r.22, let externalID = r.23, let name = r.24, let username = r.25,
               let state = r.28, let createdAt = r.29, let accessToken = r.32 {
                let integration = Integration(
                    id: channelID, organizationID: organizationID, provider: provider, externalID: externalID, name: name, username: username,
                    avatarURL: r.26, instanceURL: r.27, state: Integration.State(rawValue: state) ?? .disabled, createdAt: createdAt,
                    customerID: r.30, postingTimes: r.31 ?? []
                )
                channel = (integration, IntegrationRepository.StoredCredentials(encryptedAccessToken: accessToken, encryptedRefreshToken: r.33, expiresAt: r.34))
            }
            return Claim(post: post, tookOver: r.18 == PostState.publishing.rawValue, previouslyUpdatedAt: r.19, channel: channel)
        }
        return nil
    }

    struct PublishedStatement: PostgresPreparedStatement {
        typealias Row = (UUID?, UUID?, Date?)
        static let sql = """
            WITH published AS (
                UPDATE posts SET state = 'published', platform_post_id = $1, platform_url = $2::text,
                       error = NULL, published_at = now(), lease_owner = NULL, updated_at = now()
                WHERE id = $3 AND state = 'publishing' AND attempt = $4
                RETURNING id
            ), released AS (
                UPDATE posts SET state = 'scheduled', publish_at = now() + make_interval(secs => delay_seconds), updated_at = now()
                WHERE parent_id IN (SELECT id FROM published) AND state = 'waiting' AND deleted_at IS NULL
                RETURNING id, organization_id, publish_at
            )
            SELECT released.id, released.organization_id, released.publish_at FROM published LEFT JOIN released ON true
            """
        var platformPostID: String
        var platformURL: String?
        var id: UUID
        var attempt: Int

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 4)
            bindings.append(platformPostID)
            if let platformURL { bindings.append(platformURL) } else { bindings.appendNull() }
            bindings.append(id)
            bindings.append(attempt)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// ``markPublished(id:attempt:platformPostID:platformURL:on:)`` and ``releaseNextItem(after:on:)`` in one
    /// statement (atomic on its own, one round trip): `published` is false when `attempt` no longer owns the
    /// post; `released` is the thread's next item, when one was waiting.
    public func markPublishedReleasingNext(id: UUID, attempt: Int, platformPostID: String, platformURL: String?,
                                           client: PostgresClient) async throws -> (published: Bool, released: ReleasedItem?) {
        let statement = PublishedStatement(platformPostID: platformPostID, platformURL: platformURL, id: id, attempt: attempt)
        for try await (releasedID, organizationID, publishAt) in try await client.execute(statement, logger: logger) {
            guard let releasedID, let organizationID, let publishAt else { return (true, nil) }
            return (true, ReleasedItem(id: releasedID, organizationID: organizationID, publishAt: publishAt))
        }
        return (false, nil)
    }
}
