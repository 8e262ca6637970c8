import ArkyraCore
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization

/// Builds `arkyra-cron`: the admin server, and one leader among the replicas that runs the reconciler and the
/// retention sweep every `reconcileInterval`, asks for recent posts' counts every five minutes, and reconciles
/// at once when Redis loses its data.
package func buildCron(
    configuration: CronConfiguration,
    metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    logger: Logger
) -> some ApplicationProtocol {
    AdminRoutes.serviceApplication(configuration: configuration.service, metrics: metrics, logger: logger) { database, redis in
        let reconciler = Reconciler(database: database, queue: JobQueue(name: .publish, redis: redis), logger: logger)
        let mediaReconciler = MediaReconciler(database: database, queue: JobQueue(name: .media, redis: redis), logger: logger)
        let retention = RetentionSweep(database: database, configuration: configuration, logger: logger)
        // Only which platforms read counts is asked of the providers here; cron calls no platform.
        let providers = ProviderRegistry.all(http: PlatformHTTP(client: .shared, timeout: .seconds(10), policy: OutboundURLPolicy(allowPrivateHosts: false)),
                                             platforms: configuration.service.platforms)
        let counts = MetricsCollection(database: database, queue: JobQueue(name: .publish, redis: redis),
                                       platforms: providers.identifiers.filter { providers.provider(for: $0)?.readsMetrics == true }, logger: logger)
        let leading = metrics.makeGauge(descriptor: .init(namespace: "arkyra", metricName: "cron_leader", unitName: "", helpText: "1 while this replica leads"))
        let election = LeaderElection(database: database, lockKey: AdvisoryLockKey.cronLeader, leading: leading, logger: logger)
        let detector = RedisLossDetector(redis: redis)
        let passes = Cadence(every: configuration.reconcileInterval)
        // Counts are asked for at most every quarter of an hour and hourly after: a pass every five minutes
        // is enough, and keeps the scan of the week's published posts off every reconcile pass.
        let countPasses = Cadence(every: .seconds(300))
        return [
            // Every second the leader checks that Redis still holds its data and, if not, reconciles at once;
            // the full pass and the retention sweep run every reconcile interval.
            LeaderLoop(election: election, tickEvery: .seconds(1), retryEvery: configuration.reconcileInterval) {
                if try await detector.lostSinceLastCheck() {
                    logger.warning("Redis lost its data; reconciling now")
                    try await reconciler.reconcileAfterRedisLoss()
                }
                if passes.isDue() {
                    try await reconciler.reconcile()
                    try await mediaReconciler.reconcile()
                    try await retention.sweep()
                }
                if countPasses.isDue() {
                    try await counts.collect()
                }
            },
            InstallationGauges(database: database, registry: metrics, interval: configuration.reconcileInterval, logger: logger),
        ]
    }
}

/// Says whether `every` has passed since it last said yes (yes the first time).
final class Cadence: Sendable {
    private let every: Duration
    private let last = Mutex<ContinuousClock.Instant?>(nil)

    init(every: Duration) {
        self.every = every
    }

    func isDue(now: ContinuousClock.Instant = .now) -> Bool {
        last.withLock { last in
            if let previous = last, now - previous < every { return false }
            last = now
            return true
        }
    }
}

/// The leader's periodic work as a service.
struct LeaderLoop: Service {
    let election: LeaderElection
    let tickEvery: Duration
    /// How often a replica that is not the leader tries to become it.
    let retryEvery: Duration
    let tick: @Sendable () async throws -> Void

    func run() async throws {
        // Cancelled on graceful shutdown so a sleeping leader stops at once instead of after its interval.
        try await cancelWhenGracefulShutdown {
            await election.lead(interval: tickEvery, retryInterval: retryEvery, tick: tick)
        }
    }
}
