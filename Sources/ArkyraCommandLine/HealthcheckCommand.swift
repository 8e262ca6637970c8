import ArgumentParser
import ArkyraCore
import AsyncHTTPClient
import Foundation

/// `healthcheck`: asks the running service's admin server whether it is ready (`/health`; `/health/live`
/// with `--live`) and exits 0 when it answers 200, 1 otherwise. It is the container images' HEALTHCHECK,
/// which have no curl. The port is `--port`, else `ARKYRA_ADMIN_PORT` (each image sets it).
package struct HealthcheckCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "healthcheck", abstract: "Exit 0 when this service's admin server says it is ready (or alive, with --live)."
    )

    @Option(help: "The admin port (default: ARKYRA_ADMIN_PORT).")
    var port: Int?

    @Flag(help: "Ask only whether the process answers (/health/live), not whether its dependencies do.")
    var live = false

    package init() {}

    package func run() async throws {
        let configured = try EnvironmentReader.process(dotEnvPath: nil).int("ARKYRA_ADMIN_PORT", default: 0, in: 0...65535)
        guard let port = port ?? (configured == 0 ? nil : configured) else {
            FileHandle.standardError.write(Data("healthcheck: give --port or set ARKYRA_ADMIN_PORT\n".utf8))
            throw ExitCode(78)
        }
        let url = "http://127.0.0.1:\(port)/health" + (live ? "/live" : "")
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(3))
            guard response.status == .ok else {
                FileHandle.standardError.write(Data("\(url) answered \(response.status.code)\n".utf8))
                throw ExitCode.failure
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            FileHandle.standardError.write(Data("\(url): \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
