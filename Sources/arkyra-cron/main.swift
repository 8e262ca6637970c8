import ArgumentParser
import ArkyraCommandLine
import ArkyraCron

@main
struct ArkyraCronCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arkyra-cron",
        abstract: "ARKYRA's scheduler of periodic jobs. Serves /health and /metrics on its admin port.",
        subcommands: [HealthcheckCommand.self]
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await options.run(
            service: "arkyra-cron", configuration: CronConfiguration.init(reader:), logging: \.service.logging,
            build: { buildCron(configuration: $0, metrics: $1, logger: $2) }
        )
    }
}
