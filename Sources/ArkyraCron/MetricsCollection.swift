import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// Reads the counts of recently published posts again while they still move: every post published in the
/// last `window` on a platform whose counts ARKYRA reads gets a metrics job once it is `firstAfter` old, and
/// again when its counts are older than `every`; at most `limit` a pass, the newest first. Run by the leader
/// with the reconciler; a job already waiting for a post is not doubled (one job id per post).
package struct MetricsCollection: Sendable {
    let database: Database
    let queue: JobQueue
    /// The platforms whose counts ARKYRA reads.
    let platforms: [String]
    let logger: Logger
    var window: TimeInterval = 7 * 86_400
    var firstAfter: TimeInterval = 900
    var every: TimeInterval = 3600
    var limit = 1000

    package init(database: Database, queue: JobQueue, platforms: [String], logger: Logger) {
        self.database = database
        self.queue = queue
        self.platforms = platforms
        self.logger = logger
    }

    /// One pass; returns how many posts were given a job.
    @discardableResult
    package func collect(now: Date = Date()) async throws -> Int {
        guard !platforms.isEmpty else { return 0 }
        let rows = try await database.query(
            """
            SELECT p.id, p.organization_id FROM posts p
            JOIN integrations i ON i.id = p.integration_id AND i.deleted_at IS NULL
            LEFT JOIN post_metrics m ON m.post_id = p.id
            WHERE p.state = 'published' AND p.deleted_at IS NULL AND p.platform_post_id IS NOT NULL AND i.provider = ANY(\(platforms))
              AND p.published_at > \(now.addingTimeInterval(-window))
              AND ((m.post_id IS NULL AND p.published_at < \(now.addingTimeInterval(-firstAfter))) OR m.updated_at < \(now.addingTimeInterval(-every)))
            ORDER BY p.published_at DESC LIMIT \(limit)
            """,
            logger: logger
        )
        var due: [MetricsJob] = []
        for try await (id, organization) in rows.decode((UUID, UUID).self) { due.append(MetricsJob(postID: id, organizationID: organization)) }
        for job in due { try await queue.schedule(job.job(requestID: nil), at: now) }
        if !due.isEmpty { logger.info("asked for posts' counts", metadata: ["posts": "\(due.count)"]) }
        return due.count
    }
}
