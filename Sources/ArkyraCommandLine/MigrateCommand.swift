import ArgumentParser
import ArkyraCore

/// `migrate`: applies pending database migrations, then exits; `migrate status` lists them. Exit status 65
/// when a migration cannot be applied, 78 for a configuration error.
package struct MigrateCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply pending database migrations, then exit.", subcommands: [Status.self]
    )
    @OptionGroup var options: ServiceOptions

    package init() {}

    package func run() async throws {
        let status = try await MigrationCommand.apply(try options.configuration(DatabaseConfiguration.init(reader:)))
        if status != 0 { throw ExitCode(status) }
    }

    package struct Status: AsyncParsableCommand {
        package static let configuration = CommandConfiguration(abstract: "Print each migration and whether it is applied.")
        @OptionGroup var options: ServiceOptions

        package init() {}

        package func run() async throws {
            let status = try await MigrationCommand.status(try options.configuration(DatabaseConfiguration.init(reader:)))
            if status != 0 { throw ExitCode(status) }
        }
    }
}
