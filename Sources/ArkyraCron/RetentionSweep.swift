import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// Keeps what piles up bounded: deletes dead jobs older than their retention period and the oldest beyond
/// the limit, audit events and notifications older than theirs, and sessions, refresh tokens and account
/// tokens a day after they stopped working. Run by the leader with the reconciler; each kind is deleted at
/// most 10,000 rows a sweep, so one sweep never holds the database for long.
package struct RetentionSweep: Sendable {
    let database: Database
    let deadJobs: DeadJobRepository
    let audit: AuditRepository
    let sessions: SessionRepository
    let accountTokens: AccountTokenRepository
    let notifications: NotificationRepository
    let configuration: CronConfiguration
    /// Ended sessions and used or expired tokens are kept this long (for support questions), then deleted.
    static let credentialGrace: TimeInterval = 86_400
    let logger: Logger

    package init(database: Database, configuration: CronConfiguration, logger: Logger) {
        self.database = database
        self.deadJobs = DeadJobRepository(client: database, logger: logger)
        self.audit = AuditRepository(logger: logger)
        self.sessions = SessionRepository(logger: logger)
        self.accountTokens = AccountTokenRepository(logger: logger)
        self.notifications = NotificationRepository(logger: logger)
        self.configuration = configuration
        self.logger = logger
    }

    /// What one sweep deleted.
    package struct Outcome: Sendable, Equatable {
        package var deadJobs = 0
        package var auditEvents = 0
        package var sessions = 0
        package var accountTokens = 0
        package var notifications = 0
    }

    /// One sweep.
    @discardableResult
    package func sweep(now: Date = Date()) async throws -> Outcome {
        func cutoff(_ retention: Duration) -> Date { now.addingTimeInterval(-TimeInterval(retention.components.seconds)) }
        let ended = now.addingTimeInterval(-Self.credentialGrace)
        let outcome = Outcome(
            deadJobs: try await deadJobs.purge(createdBefore: cutoff(configuration.deadJobRetention), keepingAtMost: configuration.deadJobLimit),
            auditEvents: try await audit.purge(createdBefore: cutoff(configuration.auditRetention), client: database),
            sessions: try await sessions.purge(endedBefore: ended, client: database),
            accountTokens: try await accountTokens.purge(before: ended, client: database),
            notifications: try await notifications.purge(createdBefore: cutoff(configuration.notificationRetention), client: database)
        )
        if outcome != Outcome() {
            logger.info("deleted expired records", metadata: [
                "dead_jobs": "\(outcome.deadJobs)", "audit_events": "\(outcome.auditEvents)", "sessions": "\(outcome.sessions)",
                "account_tokens": "\(outcome.accountTokens)", "notifications": "\(outcome.notifications)",
            ])
        }
        return outcome
    }
}
