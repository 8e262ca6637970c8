import ArgumentParser
import ArkyraCommandLine
import ArkyraWorker

@main
struct ArkyraWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arkyra-worker",
        abstract: "ARKYRA's job runner: promotes due jobs and publishes posts. Serves /health and /metrics on its admin port.",
        subcommands: [HealthcheckCommand.self]
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await options.run(
            service: "arkyra-worker", configuration: WorkerConfiguration.init(reader:), logging: \.service.logging,
            starting: { ["consumer": "\($0.consumerName)", "concurrency": "\($0.concurrency)"] },
            build: { buildWorker(configuration: $0, metrics: $1, logger: $2) }
        )
    }
}
