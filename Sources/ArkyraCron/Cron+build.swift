import ArkyraCore
import Hummingbird
import Logging
import Prometheus

/// Builds `arkyra-cron`: for now it connects to PostgreSQL and Redis, serves `/health` and `/metrics`, and
/// waits. The leader-elected scheduler and its jobs (the reconciler first) come with the queue work.
public func buildCron(
    configuration: ServiceConfiguration,
    metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    logger: Logger
) -> some ApplicationProtocol {
    AdminRoutes.serviceApplication(configuration: configuration, metrics: metrics, logger: logger)
}
