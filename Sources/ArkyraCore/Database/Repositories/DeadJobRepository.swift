import Foundation
import Logging
import PostgresNIO

/// Where jobs go that will not run again by themselves: out of retries, permanently failing, or poison.
package protocol DeadLetterStore: Sendable {
    func bury(_ job: Job, queue: QueueName, deliveries: Int, error: String) async throws
}

/// Dead jobs in PostgreSQL (`dead_jobs`).
package struct DeadJobRepository: DeadLetterStore {
    let client: Database
    let logger: Logger

    package init(client: Database, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    package func bury(_ job: Job, queue: QueueName, deliveries: Int, error: String) async throws {
        let organizationID = job.data["organization_id"].flatMap(UUID.init(uuidString:))
        try await client.query(
            """
            INSERT INTO dead_jobs (queue, job_id, job_type, job, organization_id, deliveries, last_error)
            VALUES (\(queue.rawValue), \(job.id), \(job.type), \(try job.encoded())::jsonb, \(organizationID), \(deliveries), \(error))
            """,
            logger: logger
        )
    }

    /// A dead job as the API shows it.
    package struct DeadJob: Sendable, Encodable {
        package var id: UUID
        package var queue: String
        package var job: Job
        package var deliveries: Int
        package var lastError: String
        package var createdAt: Date
        package var redrivenAt: Date?
    }

    /// The organization's dead jobs, newest first.
    package func list(organizationID: UUID, limit: Int = 100) async throws -> [DeadJob] {
        try await decode(client.query(
            """
            SELECT id, queue, job::text, deliveries, last_error, created_at, redriven_at FROM dead_jobs
            WHERE organization_id = \(organizationID) ORDER BY created_at DESC LIMIT \(limit)
            """,
            logger: logger
        ))
    }

    /// One dead job of the organization.
    package func find(id: UUID, organizationID: UUID) async throws -> DeadJob? {
        try await decode(client.query(
            """
            SELECT id, queue, job::text, deliveries, last_error, created_at, redriven_at FROM dead_jobs
            WHERE id = \(id) AND organization_id = \(organizationID)
            """,
            logger: logger
        )).first
    }

    /// Marks a dead job redriven, once, in the caller's transaction; nil when it does not exist or was redriven
    /// already.
    package func markRedriven(id: UUID, organizationID: UUID, on connection: PostgresConnection) async throws -> DeadJob? {
        try await decode(connection.query(
            """
            UPDATE dead_jobs SET redriven_at = now()
            WHERE id = \(id) AND organization_id = \(organizationID) AND redriven_at IS NULL
            RETURNING id, queue, job::text, deliveries, last_error, created_at, redriven_at
            """,
            logger: logger
        )).first
    }

    /// Deletes dead jobs created before `cutoff`, then the oldest beyond the newest `limit`; returns how many
    /// it deleted.
    package func purge(createdBefore cutoff: Date, keepingAtMost limit: Int) async throws -> Int {
        var deleted = 0
        for query: PostgresQuery in [
            "WITH gone AS (DELETE FROM dead_jobs WHERE created_at < \(cutoff) RETURNING 1) SELECT count(*)::int FROM gone",
            """
            WITH gone AS (
                DELETE FROM dead_jobs WHERE id IN (SELECT id FROM dead_jobs ORDER BY created_at DESC, id OFFSET \(limit))
                RETURNING 1
            ) SELECT count(*)::int FROM gone
            """,
        ] {
            for try await count in try await client.query(query, logger: logger).decode(Int.self) { deleted += count }
        }
        return deleted
    }

    private func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [DeadJob] {
        var result: [DeadJob] = []
        for try await (id, queue, text, deliveries, error, createdAt, redrivenAt) in rows.decode((UUID, String, String, Int, String, Date, Date?).self) {
            result.append(DeadJob(id: id, queue: queue, job: try Job.decode(text), deliveries: deliveries, lastError: error,
                                  createdAt: createdAt, redrivenAt: redrivenAt))
        }
        return result
    }
}
