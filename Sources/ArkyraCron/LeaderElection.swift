import ArkyraCore
import Logging
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// One leader among the cron replicas, through a PostgreSQL session advisory lock held on a connection of
/// its own. If that connection dies, PostgreSQL releases the lock and another replica takes over; the old
/// leader notices on its next check and stops leading.
package struct LeaderElection: Sendable {
    let database: Database
    let lockKey: Int64
    /// 1 while this replica leads, 0 otherwise (`arkyra_cron_leader`; the alerts want exactly one).
    let leading: Gauge?
    let logger: Logger

    package init(database: Database, lockKey: Int64, leading: Gauge? = nil, logger: Logger) {
        self.database = database
        self.lockKey = lockKey
        self.leading = leading
        self.logger = logger
        leading?.set(0.0)
    }

    /// Until shutdown: tries to become leader every `retryInterval`; while leader, calls `tick` every
    /// `interval` after confirming the lock's connection is alive.
    package func lead(interval: Duration, retryInterval: Duration, tick: @Sendable () async throws -> Void) async {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await database.withConnection { connection in
                    let acquired = try await connection.query("SELECT pg_try_advisory_lock(\(lockKey))", logger: logger)
                        .decode(Bool.self).first { _ in true } ?? false
                    guard acquired else { return }
                    logger.info("became the leader")
                    leading?.set(1.0)
                    defer {
                        leading?.set(0.0)
                        logger.info("stopped leading")
                    }
                    while !Task.isShuttingDownGracefully, !Task.isCancelled {
                        // Through the database, which refuses a connection PostgreSQL has ended (the lock went with it).
                        try await database.query("SELECT 1", logger: logger)
                        // The lock can be lost while a tick runs, so a new leader's tick may overlap this one.
                        // That is harmless: every tick's writes are conditional updates or deletes that a second
                        // run finds done, and a job queued twice publishes once (the claim in PostgreSQL decides).
                        do {
                            try await tick()
                        } catch {
                            logger.error("leader tick failed", metadata: ["error": "\(error)"])
                        }
                        try? await Task.sleep(for: interval)
                    }
                    _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
                }
            } catch {
                logger.error("lost the database while leading or electing", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: retryInterval)
        }
    }
}
