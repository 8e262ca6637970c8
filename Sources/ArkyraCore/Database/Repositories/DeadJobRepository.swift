import Foundation
import Logging
import PostgresNIO

/// Where jobs go that will not run again by themselves: out of retries, permanently failing, or poison.
public protocol DeadLetterStore: Sendable {
    func bury(_ job: Job, queue: QueueName, deliveries: Int, error: String) async throws
}

/// Dead jobs in PostgreSQL (`dead_jobs`).
public struct DeadJobRepository: DeadLetterStore {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func bury(_ job: Job, queue: QueueName, deliveries: Int, error: String) async throws {
        let organizationID = job.data["organization_id"].flatMap(UUID.init(uuidString:))
        try await client.query(
            """
            INSERT INTO dead_jobs (queue, job_id, job_type, job, organization_id, deliveries, last_error)
            VALUES (\(queue.rawValue), \(job.id), \(job.type), \(try job.encoded())::jsonb, \(organizationID), \(deliveries), \(error))
            """,
            logger: logger
        )
    }

    /// Dead jobs of a queue, newest first.
    public func list(queue: QueueName, limit: Int = 100) async throws -> [(id: UUID, job: Job, deliveries: Int, error: String, createdAt: Date)] {
        let rows = try await client.query(
            """
            SELECT id, job::text, deliveries, last_error, created_at FROM dead_jobs
            WHERE queue = \(queue.rawValue) AND redriven_at IS NULL ORDER BY created_at DESC LIMIT \(limit)
            """,
            logger: logger
        )
        var result: [(UUID, Job, Int, String, Date)] = []
        for try await (id, text, deliveries, error, createdAt) in rows.decode((UUID, String, Int, String, Date).self) {
            result.append((id, try Job.decode(text), deliveries, error, createdAt))
        }
        return result
    }
}
