import ArgumentParser
import ArkyraCommandLine
import ArkyraCore
import ArkyraOrchestrator
import Hummingbird

@main
struct ArkyraOrchestratorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arkyra-orchestrator",
        abstract: "ARKYRA's workflow host (campaigns, approvals, series). Serves /health and /metrics on its admin port."
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        let configuration = try options.configuration { try ServiceConfiguration(reader: $0, defaultAdminPort: 9103) }
        let (logger, metrics) = ProcessBootstrap.start(service: "arkyra-orchestrator", logging: configuration.logging)
        logger.info("starting")
        try await buildOrchestrator(configuration: configuration, metrics: metrics, logger: logger).runService()
        logger.info("stopped")
    }
}
