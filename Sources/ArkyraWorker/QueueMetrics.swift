import ArkyraCore
import Logging
import Prometheus
import ServiceLifecycle

/// Reports a queue's depth and lateness as Prometheus gauges every `interval`:
/// `arkyra_queue_jobs{queue, state="delayed|ready|pending"}` and `arkyra_queue_overdue_seconds{queue}`.
package struct QueueMetrics: Service {
    let queue: JobQueue
    let interval: Duration
    let delayed: Gauge
    let ready: Gauge
    let pending: Gauge
    let overdue: Gauge
    let logger: Logger

    package init(queue: JobQueue, registry: PrometheusCollectorRegistry, interval: Duration = .seconds(5), logger: Logger) {
        self.queue = queue
        self.interval = interval
        let name = queue.name.rawValue
        let help = "Jobs in a queue by state"
        delayed = registry.makeGauge(name: "arkyra_queue_jobs", labels: [("queue", name), ("state", "delayed")], help: help)
        ready = registry.makeGauge(name: "arkyra_queue_jobs", labels: [("queue", name), ("state", "ready")], help: help)
        pending = registry.makeGauge(name: "arkyra_queue_jobs", labels: [("queue", name), ("state", "pending")], help: help)
        overdue = registry.makeGauge(name: "arkyra_queue_overdue_seconds", labels: [("queue", name)], help: "How long the most overdue delayed job has been due")
        self.logger = logger
    }

    package func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await report()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Reads the depth once and sets the gauges.
    func report() async {
        do {
            let depth = try await queue.depth()
            delayed.set(Double(depth.delayed))
            ready.set(Double(depth.ready))
            pending.set(Double(depth.pending))
            overdue.set(depth.overdueSeconds)
        } catch {
            logger.debug("cannot read queue depth", metadata: ["error": "\(error)"])
        }
    }
}
