import ArgumentParser
import ArkyraAPI
import ArkyraCommandLine
import Foundation

@main
struct ArkyraAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arkyra-api",
        abstract: "ARKYRA's HTTP API: accounts, organizations, channels and posts.",
        subcommands: [Serve.self, MigrateCommand.self, KeysCommand.self, OpenAPI.self, HealthcheckCommand.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the API until SIGTERM or SIGINT (the default).")
    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await options.run(
            service: "arkyra-api", configuration: APIConfiguration.init(reader:), logging: \.service.logging,
            starting: { ["address": "\($0.host):\($0.port)"] }, build: { buildApplication(configuration: $0, metrics: $1, logger: $2) }
        )
    }
}

struct OpenAPI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi", abstract: "Print the API's OpenAPI 3.1 description (what /openapi.json serves), then exit."
    )

    func run() throws {
        FileHandle.standardOutput.write(try openAPIDocument() + Data("\n".utf8))
    }
}
