import Foundation
import Logging

/// `arkyra-api migrate` and `migrate status`: each runs on a short-lived pool, prints what a person needs
/// and returns the process's exit status (0, or 65 when a migration cannot be applied).
package enum MigrationCommand {
    /// Applies pending migrations (waiting while PostgreSQL cannot be reached) and prints what was applied.
    package static func apply(_ configuration: DatabaseConfiguration) async throws -> Int32 {
        try await withRunner(configuration) { runner in
            let applied = try await runner.applyWaitingForDatabase()
            print(applied.isEmpty ? "database is up to date"
                : "applied \(applied.count) migration(s): " + applied.map { "\($0.version)_\($0.name)" }.joined(separator: ", "))
        }
    }

    /// Prints each migration and whether it is applied.
    package static func status(_ configuration: DatabaseConfiguration) async throws -> Int32 {
        try await withRunner(configuration) { runner in
            for status in try await runner.status() {
                let applied = status.appliedAt.map { "applied \(ISO8601Timestamp.format($0))" } ?? "pending"
                print(String(format: "%04d  %@  %@", status.version, status.name.padding(toLength: 32, withPad: " ", startingAt: 0), applied))
            }
        }
    }

    private static func withRunner(_ configuration: DatabaseConfiguration, _ body: (MigrationRunner) async throws -> Void) async throws -> Int32 {
        var logger = Logger(label: "arkyra-migrate")
        logger.logLevel = .warning
        return try await Database.withRunning(configuration: configuration, logger: logger) { database in
            do {
                try await body(MigrationRunner(client: database, migrations: try Migration.bundled(), logger: logger))
                return 0
            } catch let error as MigrationError {
                FileHandle.standardError.write(Data("migration error: \(error)\n".utf8))
                return 65
            }
        }
    }
}
