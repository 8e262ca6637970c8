import ArkyraCore
import ArkyraTemporal
import Hummingbird
import Logging
import Prometheus

/// Builds `arkyra-orchestrator`: the workflow worker of ARKYRA's workflows (Workflows.swift) on the configured
/// Temporal task queue, beside the PostgreSQL and Redis clients and `/health` (which includes Temporal: readiness
/// is false while Temporal does not answer, and true again once it does).
package func buildOrchestrator(
    configuration: ServiceConfiguration,
    metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    logger: Logger
) -> some ApplicationProtocol {
    let orchestration = configuration.orchestration
    let temporal = TemporalConnection(configuration: orchestration.temporal, logger: logger)
    let worker = WorkflowWorker(service: temporal.service, taskQueue: orchestration.taskQueue, workflows: Workflows.all, logger: logger)
    return AdminRoutes.serviceApplication(configuration: configuration, metrics: metrics, logger: logger, checks: [.temporal(temporal.client)]) { _, _ in
        [temporal, TemporalWorkerService(worker)]
    }
}
