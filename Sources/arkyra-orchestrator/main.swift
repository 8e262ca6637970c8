import ArgumentParser
import ArkyraCommandLine
import ArkyraCore
import ArkyraOrchestrator

@main
struct ArkyraOrchestratorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arkyra-orchestrator",
        abstract: "ARKYRA's workflow host (campaigns, approvals, series). Serves /health and /metrics on its admin port.",
        subcommands: [HealthcheckCommand.self]
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await options.run(
            service: "arkyra-orchestrator", configuration: { try ServiceConfiguration(reader: $0, defaultAdminPort: 9103) }, logging: \.logging,
            build: { buildOrchestrator(configuration: $0, metrics: $1, logger: $2) }
        )
    }
}
