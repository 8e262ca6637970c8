import ArkyraCore
import Foundation

/// The test Python (`ARKYRA_TEST_PYTHON`, else the repository's .run/test-venv, which `make test` fills with
/// aiosmtpd and the platforms' client libraries), and the scripts in Tests/PlatformClients.
package enum TestPython {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    package static var path: String {
        ProcessInfo.processInfo.environment["ARKYRA_TEST_PYTHON"] ?? repository.appendingPathComponent(".run/test-venv/bin/python").path
    }

    /// Runs `Tests/PlatformClients/<script>` with `arguments`; returns its exit status and what it printed
    /// (stdout and stderr together), or kills it after `timeout` seconds.
    package static func runClientScript(_ script: String, _ arguments: [String], timeout: TimeInterval = 120) async throws -> (status: Int32, output: String) {
        try await run("Tests/PlatformClients/\(script)", arguments, timeout: timeout)
    }

    /// Runs the script at `path` (from the repository's root) with `arguments`, as ``runClientScript(_:_:timeout:)``.
    package static func run(_ script: String, _ arguments: [String], timeout: TimeInterval = 120) async throws -> (status: Int32, output: String) {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw DescribedError(description: "no test Python at \(path): run `make test`, or set ARKYRA_TEST_PYTHON")
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("arkyra-client-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        let process = try ChildProcess(path, [repository.appendingPathComponent(script).path] + arguments,
                                       standardOutput: handle.fileDescriptor, standardError: handle.fileDescriptor)
        try handle.close()
        let status = await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await process.waitForExit() }
            group.addTask {
                try? await Task.sleep(for: .seconds(timeout))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let status else {
            process.signal(SIGKILL)
            _ = await process.waitForExit()
            return (-1, "killed after \(Int(timeout)) s: " + ((try? String(contentsOf: output, encoding: .utf8)) ?? ""))
        }
        defer { try? FileManager.default.removeItem(at: output) }
        return (status, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }
}
