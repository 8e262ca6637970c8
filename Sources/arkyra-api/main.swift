import ArgumentParser
import ArkyraAPI
import ArkyraCore
import Foundation
import Hummingbird
import Logging
import PostgresNIO

@main
struct ArkyraAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arkyra-api",
        abstract: "ARKYRA's HTTP API: accounts, organizations, channels and posts.",
        subcommands: [Serve.self, Migrate.self, OpenAPI.self],
        defaultSubcommand: Serve.self
    )
}

struct EnvironmentOptions: ParsableArguments {
    @Option(help: "A KEY=value file read after the environment (the environment wins).")
    var envFile = ".env"
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the API until SIGTERM or SIGINT (the default).")
    @OptionGroup var options: EnvironmentOptions

    func run() async throws {
        let configuration = ProcessBootstrap.configuration(envFile: options.envFile, APIConfiguration.init(reader:))
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
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations, then exit.",
        subcommands: [Status.self]
    )
    @OptionGroup var options: EnvironmentOptions

    func run() async throws {
        try await withMigrationRunner(envFile: options.envFile) { runner in
            let applied = try await runner.apply()
            print(applied.isEmpty ? "database is up to date" : "applied \(applied.count) migration(s): " + applied.map { "\($0.version)_\($0.name)" }.joined(separator: ", "))
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print each migration and whether it is applied.")
        @OptionGroup var options: EnvironmentOptions

        func run() async throws {
            try await withMigrationRunner(envFile: options.envFile) { runner in
                for status in try await runner.status() {
                    let applied = status.appliedAt.map { "applied \(ISO8601Timestamp.format($0))" } ?? "pending"
                    print(String(format: "%04d  %@  %@", status.version, status.name.padding(toLength: 32, withPad: " ", startingAt: 0), applied))
                }
            }
        }
    }
}

/// Runs `body` with a migration runner on a short-lived connection pool.
func withMigrationRunner(envFile: String, _ body: (MigrationRunner) async throws -> Void) async throws {
    let configuration = ProcessBootstrap.configuration(envFile: envFile) { try DatabaseConfiguration(reader: $0) }
    var logger = Logger(label: "arkyra-migrate")
    logger.logLevel = .warning
    try await Database.withRunning(configuration: configuration, logger: logger) { database in
        do {
            try await body(MigrationRunner(client: database, migrations: try Migration.bundled(), logger: logger))
        } catch let error as MigrationError {
            FileHandle.standardError.write(Data("migration error: \(error)\n".utf8))
            throw ExitCode(65)
        }
    }
}
