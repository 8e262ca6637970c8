import ArgumentParser
import ArkyraCore
import ArkyraCron
import Hummingbird

@main
struct ArkyraCronCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arkyra-cron",
        abstract: "ARKYRA's scheduler of periodic jobs. Serves /health and /metrics on its admin port."
    )

    @Option(help: "A KEY=value file read after the environment (the environment wins).")
    var envFile = ".env"

    func run() async throws {
        let (configuration, interval) = ProcessBootstrap.configuration(envFile: envFile) { reader in
            (try ServiceConfiguration(reader: reader, defaultAdminPort: 9102),
             Duration.seconds(try reader.int("ARKYRA_RECONCILE_INTERVAL_SECONDS", default: 30, in: 1...3600)))
        }
        let (logger, metrics) = ProcessBootstrap.start(service: "arkyra-cron", logging: configuration.logging)
        logger.info("starting")
        try await buildCron(configuration: configuration, reconcileInterval: interval, metrics: metrics, logger: logger).runService()
        logger.info("stopped")
    }
}
