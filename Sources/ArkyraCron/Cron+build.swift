import ArkyraCore
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// Builds `arkyra-cron`: the admin server, and one leader among the replicas that runs the reconciler and
/// the retention sweep every `reconcileInterval`.
public func buildCron(
    configuration: CronConfiguration,
    metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    logger: Logger
) -> some ApplicationProtocol {
    AdminRoutes.serviceApplication(configuration: configuration.service, metrics: metrics, logger: logger) { database, redis in
        let reconciler = Reconciler(database: database, queue: JobQueue(name: .publish, redis: redis), logger: logger)
        let retention = RetentionSweep(database: database, configuration: configuration, logger: logger)
        let election = LeaderElection(database: database, lockKey: 0x41524B59_5241_02, logger: logger)
        return [
            LeaderLoop(election: election, interval: configuration.reconcileInterval) {
                try await reconciler.reconcile()
                try await retention.sweep()
            },
        ]
    }
}

/// The leader's periodic work as a service.
struct LeaderLoop: Service {
    let election: LeaderElection
    let interval: Duration
    let tick: @Sendable () async throws -> Void

    func run() async throws {
        // Cancelled on graceful shutdown so a sleeping leader stops at once instead of after its interval.
        try await cancelWhenGracefulShutdown {
            await election.lead(interval: interval, retryInterval: interval, tick: tick)
        }
    }
}
