import ArgumentParser
import ArkyraCommandLine
import ArkyraCore
import ArkyraCron
import Hummingbird

@main
struct ArkyraCronCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arkyra-cron",
        abstract: "ARKYRA's scheduler of periodic jobs. Serves /health and /metrics on its admin port."
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        let configuration = try options.configuration { try CronConfiguration(reader: $0) }
        let (logger, metrics) = ProcessBootstrap.start(service: "arkyra-cron", logging: configuration.service.logging)
        logger.info("starting")
        try await buildCron(configuration: configuration, metrics: metrics, logger: logger).runService()
        logger.info("stopped")
    }
}
