import ArgumentParser
import ArkyraCore
import Foundation
import Logging

/// `keys rotate`: re-encrypts every stored secret under the first key of `ARKYRA_ENCRYPTION_KEYS`, then
/// prints what it did. Exit status 0 when every secret is current, 75 (EX_TEMPFAIL) when channels were still
/// refreshing (run it again), 65 when some secret could not be opened with any configured key.
package struct KeysCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage the keys that encrypt secrets at rest.", subcommands: [Rotate.self]
    )

    package init() {}

    package struct Rotate: AsyncParsableCommand {
        package static let configuration = CommandConfiguration(
            abstract: "Re-encrypt every stored secret under the first key of ARKYRA_ENCRYPTION_KEYS.",
            discussion: """
            Put the new key first in ARKYRA_ENCRYPTION_KEYS on every service and keep the old one after it; roll the \
            services out; run this; once it exits 0 and the notification queue has drained, remove the old key.
            """
        )
        @OptionGroup var options: ServiceOptions

        package init() {}

        package func run() async throws {
            let (database, keys) = try options.configuration { reader in
                (try DatabaseConfiguration(reader: reader), try SecurityConfiguration.encryptionKeys(reader: reader))
            }
            var logger = Logger(label: "arkyra-keys")
            logger.logLevel = .warning
            let report = try await Database.withRunning(configuration: database, logger: logger) { database in
                try await KeyRotation(database: database, cipher: TokenCipher(keys: keys), logger: logger).run()
            }
            print("rewritten under key '\(keys[0].id)': \(report.rewritten); already current: \(report.current)")
            for problem in report.unreadable { print("unreadable: \(problem)") }
            if !report.busy.isEmpty {
                print("still refreshing, run again: " + report.busy.map { $0.uuidString.lowercased() }.joined(separator: ", "))
            }
            if !report.unreadable.isEmpty { throw ExitCode(65) }
            if !report.busy.isEmpty { throw ExitCode(75) }
        }
    }
}
