import ArkyraCore
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization

/// Reports what the database holds as Prometheus gauges every `interval`, on every cron replica (they are
/// reads; alerts take the maximum over replicas):
/// - `arkyra_posts_waiting{platform, state="scheduled|publishing"}`;
/// - `arkyra_channels{platform, state="connected|refresh_needed|disabled|expiring"}`, where `expiring`
///   counts connected channels whose token runs out within `expiryHorizon` and cannot be refreshed.
/// A series that disappears from the database is reported as 0, so an alert on it resolves.
final class InstallationGauges: Service, Sendable {
    let database: Database
    let totals: InstallationTotalsRepository
    let registry: PrometheusCollectorRegistry
    let interval: Duration
    let expiryHorizon: TimeInterval
    let logger: Logger
    /// Every series reported so far, by metric name, so a vanished one can be set to 0.
    private let reported = Mutex<[String: Set<[String]>]>([:])

    init(database: Database, registry: PrometheusCollectorRegistry, interval: Duration, expiryHorizon: TimeInterval = 3 * 86400, logger: Logger) {
        self.database = database
        self.totals = InstallationTotalsRepository(logger: logger)
        self.registry = registry
        self.interval = interval
        self.expiryHorizon = expiryHorizon
        self.logger = logger
    }

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.report()
                try? await Task.sleep(for: self.interval)
            }
        }
    }

    /// Reads the counts once and sets the gauges.
    func report(now: Date = Date()) async {
        do {
            set("arkyra_posts_waiting", help: "Posts scheduled or being published", try await totals.waitingPosts(client: database))
            set("arkyra_channels", help: "Channels by state; expiring: connected, token ends soon, no refresh token",
                try await totals.channels(expiringBefore: now.addingTimeInterval(expiryHorizon), client: database))
        } catch {
            logger.debug("cannot read the installation's totals", metadata: ["error": "\(error)"])
        }
    }

    private func set(_ name: String, help: String, _ counts: [InstallationTotalsRepository.Count]) {
        let current = Dictionary(counts.map { ([$0.platform, $0.state], $0.count) }, uniquingKeysWith: +)
        let series = reported.withLock { reported in
            reported[name, default: []].formUnion(current.keys)
            return reported[name]!
        }
        for labels in series {
            registry.makeGauge(descriptor: .init(metricName: name, unitName: "", helpText: help), labels: [("platform", labels[0]), ("state", labels[1])])
                .set(Double(current[labels] ?? 0))
        }
    }
}
