import ArkyraCore
import Hummingbird
import Logging
import Prometheus

/// Builds `arkyra-orchestrator`: for now it connects to PostgreSQL and Redis, serves `/health` and `/metrics`, and
/// waits. The Temporal workflow workers come with the orchestration work.
package func buildOrchestrator(
    configuration: ServiceConfiguration,
    metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    logger: Logger
) -> some ApplicationProtocol {
    AdminRoutes.serviceApplication(configuration: configuration, metrics: metrics, logger: logger)
}
