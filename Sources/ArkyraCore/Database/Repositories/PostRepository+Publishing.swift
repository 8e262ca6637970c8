import Foundation
import PostgresNIO

/// The statements a worker runs for every post it publishes, prepared once per connection: PostgreSQL parses
/// and plans them once instead of on every post (in a burst they are most of its work).
extension PostRepository {
    /// The claim and, in the same statement, the post's channel with its stored credentials. The channel's
    /// columns are renamed `channel_…` so that every column is decoded by a name of its own.
    struct ClaimStatement: PostgresPreparedStatement {
        typealias Row = Claim
        static let sql = """
            WITH before AS (SELECT id, state, updated_at FROM posts WHERE id = $1 AND deleted_at IS NULL FOR UPDATE),
            claimed AS (
                UPDATE posts SET state = 'publishing', attempt = posts.attempt + 1, lease_owner = $2, updated_at = now(), attempt_started_at = now()
                FROM before
                WHERE posts.id = before.id
                  -- A scheduled post may be claimed up to 2 s early: the promoter hands over jobs due within its
                  -- tick, and a worker whose clock runs slightly ahead of PostgreSQL's must not drop them.
                  AND ((before.state = 'scheduled' AND posts.publish_at <= now() + interval '2 seconds')
                       OR (before.state = 'publishing' AND posts.lease_owner = $3::text))
                RETURNING posts.*, before.state AS previous_state, before.updated_at AS previously_updated_at
            )
            SELECT \(aliased(PostRepository.columns, "c", prefix: "")), c.previous_state, c.previously_updated_at,
                   c.rate_limit_hits, c.rate_limited_since, c.unavailable_retries, c.platform_container, c.platform_container_since,
                   EXISTS (SELECT 1 FROM post_media pm WHERE pm.post_id = c.id) AS has_media,
                   \(aliased(IntegrationRepository.columns, "i", prefix: "channel_")),
                   i.access_token_encrypted AS channel_access_token, i.refresh_token_encrypted AS channel_refresh_token,
                   i.token_expires_at AS channel_token_expires_at, i.rate_limited_until AS channel_rate_limited_until
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

        func decodeRow(_ row: PostgresRow) throws -> Claim {
            let columns = row.makeRandomAccess()
            var channel: Claim.Channel?
            if columns["channel_id"].bytes != nil {
                channel = Claim.Channel(
                    integration: try IntegrationRepository.integration(columns, prefix: "channel_"),
                    credentials: IntegrationRepository.StoredCredentials(
                        encryptedAccessToken: try columns["channel_access_token"].decode(String.self),
                        encryptedRefreshToken: try columns["channel_refresh_token"].decode(String?.self),
                        expiresAt: try columns["channel_token_expires_at"].decode(Date?.self)
                    ),
                    rateLimitedUntil: try columns["channel_rate_limited_until"].decode(Date?.self)
                )
            }
            return Claim(
                post: try PostRepository.post(columns),
                tookOver: try columns["previous_state"].decode(String.self) == PostState.publishing.rawValue,
                previouslyUpdatedAt: try columns["previously_updated_at"].decode(Date.self),
                rateLimitHits: try columns["rate_limit_hits"].decode(Int.self),
                rateLimitedSince: try columns["rate_limited_since"].decode(Date?.self),
                unavailableRetries: try columns["unavailable_retries"].decode(Int.self),
                channel: channel,
                hasMedia: try columns["has_media"].decode(Bool.self),
                container: try columns["platform_container"].decode(String?.self).map {
                    PublishContainer(id: $0, since: try columns["platform_container_since"].decode(Date?.self) ?? Date())
                }
            )
        }

        /// `id, name` → `c.id AS channel_id, c.name AS channel_name`.
        static func aliased(_ columns: String, _ alias: String, prefix: String) -> String {
            columns.split(separator: ",").map { column in
                let name = column.trimmingCharacters(in: .whitespacesAndNewlines)
                let bare = name.split(separator: ":").first.map(String.init) ?? name
                return "\(alias).\(name) AS \(prefix)\(bare)"
            }.joined(separator: ", ")
        }
    }

    /// Moves a scheduled post (once it is due) to `publishing` under `owner`, with a new attempt number that fences every later
    /// write. A post still `publishing` under `staleOwner` (a worker that stopped) is taken over. Nil when the
    /// post is not there to claim (published, deleted, or held by a live worker), which makes a duplicated
    /// job harmless. The claim brings the post's channel and credentials along (one round trip per post).
    package func claimForPublishing(id: UUID, owner: String, staleOwner: String?, client: Database) async throws -> Claim? {
        for claim in try await client.execute(ClaimStatement(id: id, owner: owner, staleOwner: staleOwner), logger: logger) {
            return claim
        }
        return nil
    }

    /// Records that the platform rate-limited this attempt: the post counts one more refusal (and when the
    /// first was), and its channel waits until `until` — at least; a later reset already recorded stands.
    package func recordRateLimit(postID: UUID, attempt: Int, integrationID: UUID, until: Date, client: Database) async throws {
        try await client.query(
            """
            WITH post AS (
                UPDATE posts SET rate_limit_hits = rate_limit_hits + 1, rate_limited_since = coalesce(rate_limited_since, now())
                WHERE id = \(postID) AND attempt = \(attempt)
            )
            UPDATE integrations SET rate_limited_until = greatest(coalesce(rate_limited_until, \(until)), \(until))
            WHERE id = \(integrationID)
            """,
            logger: logger
        )
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

    /// Records a successful publish, if `attempt` is still the post's current attempt, and schedules the thread
    /// item waiting for it (its delay after now) — one statement, atomic on its own, one round trip; inside a
    /// transaction it runs on the transaction's connection. `published` is false when `attempt` no longer owns
    /// the post; `released` is the thread's next item, when one was waiting.
    package func markPublishedReleasingNext(id: UUID, attempt: Int, platformPostID: String, platformURL: String?,
                                            client: Database) async throws -> (published: Bool, released: ReleasedItem?) {
        let statement = PublishedStatement(platformPostID: platformPostID, platformURL: platformURL, id: id, attempt: attempt)
        for (releasedID, organizationID, publishAt) in try await client.execute(statement, logger: logger) {
            guard let releasedID, let organizationID, let publishAt else { return (true, nil) }
            return (true, ReleasedItem(id: releasedID, organizationID: organizationID, publishAt: publishAt))
        }
        return (false, nil)
    }
}
