import ArgumentParser
import ArkyraAPI
import ArkyraCommandLine
import ArkyraCore
import Foundation
import Hummingbird

@main
struct ArkyraAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arkyra-api",
        abstract: "ARKYRA's HTTP API: accounts, organizations, channels and posts.",
        subcommands: [Serve.self, Migrate.self, OpenAPI.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the API until SIGTERM or SIGINT (the default).")
    @OptionGroup var options: ServiceOptions

    func run() async throws {
        let configuration = try options.configuration(APIConfiguration.init(reader:))
        let (logger, metrics) = ProcessBootstrap.start(service: "arkyra-api", logging: configuration.service.logging)
        logger.info("starting", metadata: ["address": "\(configuration.host):\(configuration.port)"])
        try await buildApplication(configuration: configuration, metrics: metrics, logger: logger).runService()
        logger.info("stopped")
    }
}

struct OpenAPI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi", abstract: "Print the API's OpenAPI 3.1 description (what /openapi.json serves), then exit."
    )

    func run() throws {
        FileHandle.standardOutput.write(try openAPIDocument())
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations, then exit.", subcommands: [Status.self])
    @OptionGroup var options: ServiceOptions

    func run() async throws {
        let status = try await MigrationCommand.apply(try options.configuration(DatabaseConfiguration.init(reader:)))
        if status != 0 { throw ExitCode(status) }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print each migration and whether it is applied.")
        @OptionGroup var options: ServiceOptions

        func run() async throws {
            let status = try await MigrationCommand.status(try options.configuration(DatabaseConfiguration.init(reader:)))
            if status != 0 { throw ExitCode(status) }
        }
    }
}
