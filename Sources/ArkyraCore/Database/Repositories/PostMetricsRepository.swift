import Foundation
import Logging
import PostgresNIO

/// `post_metrics`: the counts a platform last gave for a published post.
package struct PostMetricsRepository: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    /// What is known of a post's counts.
    package struct Stored: Sendable, Equatable {
        package var metrics: PostMetrics
        package var fetchedAt: Date?
        package var error: String?
        package var updatedAt: Date
    }

    package func find(postID: UUID, organizationID: UUID, client: Database) async throws -> Stored? {
        let rows = try await client.query(
            "SELECT counts::text, fetched_at, error, updated_at FROM post_metrics WHERE post_id = \(postID) AND organization_id = \(organizationID)",
            logger: logger
        )
        for try await (counts, fetchedAt, error, updatedAt) in rows.decode((String, Date?, String?, Date).self) {
            let decoded = (try? JSONDecoder().decode([String: Int].self, from: Data(counts.utf8))) ?? [:]
            return Stored(metrics: PostMetrics(counts: decoded), fetchedAt: fetchedAt, error: error, updatedAt: updatedAt)
        }
        return nil
    }

    /// Keeps the counts just read.
    package func store(_ metrics: PostMetrics, postID: UUID, organizationID: UUID, client: Database) async throws {
        let counts = String(decoding: try JSONEncoder().encode(metrics.counts), as: UTF8.self)
        try await client.query(
            """
            INSERT INTO post_metrics (post_id, organization_id, counts, fetched_at, error, updated_at)
            VALUES (\(postID), \(organizationID), \(counts)::jsonb, now(), NULL, now())
            ON CONFLICT (post_id) DO UPDATE SET counts = excluded.counts, fetched_at = now(), error = NULL, updated_at = now()
            """,
            logger: logger
        )
    }

    /// Keeps why the counts could not be read (the last counts stay).
    package func storeFailure(_ error: String, postID: UUID, organizationID: UUID, client: Database) async throws {
        try await client.query(
            """
            INSERT INTO post_metrics (post_id, organization_id, error, updated_at) VALUES (\(postID), \(organizationID), \(String(error.prefix(500))), now())
            ON CONFLICT (post_id) DO UPDATE SET error = excluded.error, updated_at = now()
            """,
            logger: logger
        )
    }
}
