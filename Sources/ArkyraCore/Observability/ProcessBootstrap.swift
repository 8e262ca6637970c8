import Foundation
import Logging
import Metrics
import Prometheus

/// The start of every ARKYRA executable: read configuration, install logging and metrics, once per process.
package enum ProcessBootstrap {
    /// Reads the environment (and `envFile` when it exists) and builds the configuration with `make`.
    /// - Throws: ``ConfigurationError`` naming the key, or the env file's read error.
    package static func configuration<C>(envFile: String, _ make: (EnvironmentReader) throws -> C) throws -> C {
        try make(try EnvironmentReader.process(dotEnvPath: envFile))
    }

    /// Installs JSON logging for `service` and Prometheus metrics; returns the process logger and the registry
    /// `/metrics` serves.
    package static func start(service: String, logging: LoggingConfiguration) -> (Logger, PrometheusCollectorRegistry) {
        LoggingBootstrap.bootstrap(service: service, configuration: logging)
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = prometheusName
        MetricsSystem.bootstrap(factory)
        return (Logger(label: service), registry)
    }

    /// The names our dashboards and alerts use for what libraries report through swift-metrics (Hummingbird's
    /// `MetricsMiddleware`): `arkyra_http_requests_total`, `arkyra_http_request_errors_total`,
    /// `arkyra_http_request_duration_seconds` and `arkyra_http_active_requests`, labelled `route` (the route
    /// template), `method` and `status`. Other names keep theirs (the registry replaces invalid characters).
    static func prometheusName(_ label: String, _ dimensions: [(String, String)]) -> (String, [(String, String)]) {
        (metricNames[label] ?? label, dimensions.map { (labelNames[$0.0] ?? $0.0, $0.1) })
    }

    private static let metricNames = [
        "hb.requests": "arkyra_http_requests_total",
        "hb.request.errors": "arkyra_http_request_errors_total",
        "http.server.request.duration": "arkyra_http_request_duration_seconds",
        "http.server.active_requests": "arkyra_http_active_requests",
    ]
    private static let labelNames = ["http.route": "route", "http.request.method": "method", "http.response.status_code": "status", "error.type": "status"]
}
