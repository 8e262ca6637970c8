import ArkyraCore
import Hummingbird
import Logging
import Prometheus

extension ServiceOptions {
    /// What a service executable does: reads its configuration, installs logging and metrics, builds the
    /// service from its library and runs it until SIGTERM or SIGINT.
    /// - Parameters:
    ///   - service: the process's name in logs and metrics.
    ///   - logging: where the configuration keeps its logging settings.
    ///   - starting: what the "starting" log line says about this process.
    package func run<Configuration, App: ApplicationProtocol>(
        service: String,
        configuration make: (EnvironmentReader) throws -> Configuration,
        logging: (Configuration) -> LoggingConfiguration,
        starting: (Configuration) -> Logger.Metadata = { _ in [:] },
        build: (Configuration, PrometheusCollectorRegistry, Logger) -> App
    ) async throws {
        let configuration = try self.configuration(make)
        let (logger, metrics) = ProcessBootstrap.start(service: service, logging: logging(configuration))
        logger.info("starting", metadata: starting(configuration))
        do {
            try await build(configuration, metrics, logger).runService()
        } catch is CancellationError {
            // SIGTERM while waiting for a dependency before serving: a clean stop, not a failure.
            logger.info("stopped before serving")
            return
        }
        logger.info("stopped")
    }
}
