import ArkyraCore

/// Everything `arkyra-cron` reads at start-up.
package struct CronConfiguration: Sendable {
    package var service: ServiceConfiguration
    /// How often the leader reconciles Redis with PostgreSQL.
    package var reconcileInterval: Duration
    /// How long dead jobs are kept before the retention sweep deletes them.
    package var deadJobRetention: Duration
    /// The most dead jobs kept; the oldest beyond it are deleted.
    package var deadJobLimit: Int
    /// How long audit events are kept.
    package var auditRetention: Duration
    /// How long in-app notifications are kept.
    package var notificationRetention: Duration = .seconds(90 * 86_400)

    package init(service: ServiceConfiguration, reconcileInterval: Duration = .seconds(30),
                 deadJobRetention: Duration = .seconds(30 * 86_400), deadJobLimit: Int = 100_000,
                 auditRetention: Duration = .seconds(365 * 86_400)) {
        self.service = service
        self.reconcileInterval = reconcileInterval
        self.deadJobRetention = deadJobRetention
        self.deadJobLimit = deadJobLimit
        self.auditRetention = auditRetention
    }

    /// Reads the shared keys plus `ARKYRA_RECONCILE_INTERVAL_SECONDS`, `ARKYRA_DEAD_JOB_RETENTION_DAYS`,
    /// `ARKYRA_DEAD_JOB_LIMIT`, `ARKYRA_AUDIT_RETENTION_DAYS` and `ARKYRA_NOTIFICATION_RETENTION_DAYS`.
    package init(reader: EnvironmentReader) throws {
        self.init(
            service: try ServiceConfiguration(reader: reader, defaultAdminPort: 9102),
            reconcileInterval: .seconds(try reader.int("ARKYRA_RECONCILE_INTERVAL_SECONDS", default: 30, in: 1...3600)),
            deadJobRetention: .seconds(86_400 * (try reader.int("ARKYRA_DEAD_JOB_RETENTION_DAYS", default: 30, in: 1...3650))),
            deadJobLimit: try reader.int("ARKYRA_DEAD_JOB_LIMIT", default: 100_000, in: 100...100_000_000),
            auditRetention: .seconds(86_400 * (try reader.int("ARKYRA_AUDIT_RETENTION_DAYS", default: 365, in: 1...36_500)))
        )
        notificationRetention = .seconds(86_400 * (try reader.int("ARKYRA_NOTIFICATION_RETENTION_DAYS", default: 90, in: 1...36_500)))
    }
}
