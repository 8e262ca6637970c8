import ArgumentParser
import ArkyraCore
import Foundation

/// What every ARKYRA service executable takes on its command line, and how it reads its configuration: the
/// environment, then `--env-file`. A configuration error is printed as one line naming the key, and the
/// process exits with status 78 (EX_CONFIG) — the one place that decides so.
package struct ServiceOptions: ParsableArguments {
    @Option(help: "A KEY=value file read after the environment (the environment wins).")
    package var envFile = ".env"

    package init() {}

    /// The configuration `make` builds from the environment and the env file.
    /// - Throws: `ExitCode(78)` after printing the problem.
    package func configuration<Configuration>(_ make: (EnvironmentReader) throws -> Configuration) throws -> Configuration {
        do {
            return try ProcessBootstrap.configuration(envFile: envFile, make)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(78)
        }
    }
}
