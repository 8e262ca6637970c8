import Foundation
import Logging
import PostgresNIO

/// What an organization's posts did over a period, for the analytics dashboard: posts published and failed per
/// day (in the viewer's zone), the platforms' counts summed over the posts published in it, and its best posts.
package struct AnalyticsRepository: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    /// One day of the period.
    package struct Day: Sendable, Equatable {
        /// `2026-12-07` in the zone asked for.
        package var day: String
        package var published: Int
        package var failed: Int

        package init(day: String, published: Int, failed: Int) {
            self.day = day
            self.published = published
            self.failed = failed
        }
    }

    /// A published post and the sum of its counts.
    package struct TopPost: Sendable, Equatable {
        package var id: UUID
        package var integrationID: UUID
        package var content: String
        package var platformURL: String?
        package var publishedAt: Date
        package var counts: [String: Int]
        package var total: Int
    }

    /// The period's posts that reached an end (published, failed), by the day they were due, in `zone`.
    package func days(organizationID: UUID, integrationID: UUID?, from: Date, to: Date, zone: String, client: Database) async throws -> [Day] {
        let rows = try await client.query(
            """
            SELECT to_char(COALESCE(published_at, publish_at) AT TIME ZONE \(zone), 'YYYY-MM-DD') AS day,
                   count(*) FILTER (WHERE state = 'published')::int, count(*) FILTER (WHERE state IN ('failed', 'unconfirmed'))::int
            FROM posts
            WHERE organization_id = \(organizationID) AND (\(integrationID)::uuid IS NULL OR integration_id = \(integrationID))
              AND state IN ('published', 'failed', 'unconfirmed')
              AND COALESCE(published_at, publish_at) >= \(from) AND COALESCE(published_at, publish_at) < \(to)
            GROUP BY day ORDER BY day
            """,
            logger: logger
        )
        var result: [Day] = []
        for try await (day, published, failed) in rows.decode((String, Int, Int).self) {
            result.append(Day(day: day, published: published, failed: failed))
        }
        return result
    }

    /// The platforms' counts (`likes`, `replies`, …) summed over the posts published in the period.
    package func totals(organizationID: UUID, integrationID: UUID?, from: Date, to: Date, client: Database) async throws -> [String: Int] {
        let rows = try await client.query(
            """
            SELECT c.key, sum(c.value::bigint)::bigint FROM posts p
            JOIN post_metrics m ON m.post_id = p.id, jsonb_each_text(m.counts) c
            WHERE p.organization_id = \(organizationID) AND (\(integrationID)::uuid IS NULL OR p.integration_id = \(integrationID))
              AND p.state = 'published' AND p.published_at >= \(from) AND p.published_at < \(to) AND c.value ~ '^[0-9]+$'
            GROUP BY c.key
            """,
            logger: logger
        )
        var result: [String: Int] = [:]
        for try await (key, sum) in rows.decode((String, Int64).self) { result[key] = Int(sum) }
        return result
    }

    /// The period's published posts with the most counts in all, best first.
    package func top(organizationID: UUID, integrationID: UUID?, from: Date, to: Date, limit: Int = 5, client: Database) async throws -> [TopPost] {
        let rows = try await client.query(
            """
            SELECT p.id, p.integration_id, p.content, p.platform_url, p.published_at, m.counts::text,
                   (SELECT COALESCE(sum(value::bigint), 0) FROM jsonb_each_text(m.counts) WHERE value ~ '^[0-9]+$')::bigint AS total
            FROM posts p JOIN post_metrics m ON m.post_id = p.id
            WHERE p.organization_id = \(organizationID) AND (\(integrationID)::uuid IS NULL OR p.integration_id = \(integrationID))
              AND p.state = 'published' AND p.published_at >= \(from) AND p.published_at < \(to)
            ORDER BY total DESC, p.published_at DESC LIMIT \(limit)
            """,
            logger: logger
        )
        var result: [TopPost] = []
        for try await (id, integrationID, content, url, publishedAt, counts, total) in rows.decode((UUID, UUID, String, String?, Date, String, Int64).self) {
            let decoded = (try? JSONDecoder().decode([String: Int].self, from: Data(counts.utf8))) ?? [:]
            result.append(TopPost(id: id, integrationID: integrationID, content: content, platformURL: url, publishedAt: publishedAt, counts: decoded, total: Int(total)))
        }
        return result
    }
}
