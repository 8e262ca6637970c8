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
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return (Logger(label: service), registry)
    }
}
