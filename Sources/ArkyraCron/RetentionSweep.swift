import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// Keeps what piles up bounded: deletes dead jobs older than their retention period and the oldest beyond
/// the limit, and audit events older than theirs. Run by the leader with the reconciler.
public struct RetentionSweep: Sendable {
    let database: Database
    let deadJobs: DeadJobRepository
    let audit: AuditRepository
    let configuration: CronConfiguration
    let logger: Logger

    public init(database: Database, configuration: CronConfiguration, logger: Logger) {
        self.database = database
        self.deadJobs = DeadJobRepository(client: database, logger: logger)
        self.audit = AuditRepository(logger: logger)
        self.configuration = configuration
        self.logger = logger
    }

    /// What one sweep deleted.
    public struct Outcome: Sendable, Equatable {
        public var deadJobs: Int
        public var auditEvents: Int
    }

    /// One sweep.
    @discardableResult
    public func sweep(now: Date = Date()) async throws -> Outcome {
        func cutoff(_ retention: Duration) -> Date { now.addingTimeInterval(-TimeInterval(retention.components.seconds)) }
        let outcome = Outcome(
            deadJobs: try await deadJobs.purge(createdBefore: cutoff(configuration.deadJobRetention), keepingAtMost: configuration.deadJobLimit),
            auditEvents: try await audit.purge(createdBefore: cutoff(configuration.auditRetention), client: database)
        )
        if outcome != Outcome(deadJobs: 0, auditEvents: 0) {
            logger.info("deleted expired records", metadata: ["dead_jobs": "\(outcome.deadJobs)", "audit_events": "\(outcome.auditEvents)"])
        }
        return outcome
    }
}
