import ArgumentParser
import ArkyraCommandLine
import ArkyraCore
import ArkyraWorker
import Hummingbird

@main
struct ArkyraWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arkyra-worker",
        abstract: "ARKYRA's job runner: promotes due jobs and publishes posts. Serves /health and /metrics on its admin port."
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        let configuration = try options.configuration(WorkerConfiguration.init(reader:))
        let (logger, metrics) = ProcessBootstrap.start(service: "arkyra-worker", logging: configuration.service.logging)
        logger.info("starting", metadata: ["consumer": "\(configuration.consumerName)", "concurrency": "\(configuration.concurrency)"])
        try await buildWorker(configuration: configuration, metrics: metrics, logger: logger).runService()
        logger.info("stopped")
    }
}
