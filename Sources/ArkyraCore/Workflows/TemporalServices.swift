import ArkyraTemporal
import Logging
import ServiceLifecycle

/// The connection to Temporal as a service of the process: connected from start to graceful shutdown, which lets
/// calls in flight finish. Listed before the workers that use it, so they stop first.
package struct TemporalConnection: Service {
    package let service: WorkflowService

    package init(configuration: TemporalConfiguration, logger: Logger) {
        service = WorkflowService(configuration: configuration, logger: logger)
    }

    package var client: TemporalClient { TemporalClient(service: service) }

    package func run() async throws {
        try await withGracefulShutdownHandler {
            try await service.run()
        } onGracefulShutdown: {
            service.shutdown()
        }
    }
}

/// A workflow or activity worker's polling, stopped at the graceful shutdown (a task it was answering is answered
/// again by another worker after Temporal's timeout).
package struct TemporalWorkerService: Service {
    let poll: @Sendable () async throws -> Void

    package init(_ worker: WorkflowWorker) { poll = { try await worker.run() } }
    package init(_ worker: ActivityWorker) { poll = { try await worker.run() } }

    package func run() async throws {
        try await cancelWhenGracefulShutdown { try await poll() }
    }
}

extension HealthCheck {
    /// Temporal answers for the namespace.
    package static func temporal(_ client: TemporalClient) -> HealthCheck {
        HealthCheck(name: "temporal") { try await client.checkNamespace() }
    }
}
