import ArkyraCore
import Foundation

/// One of ARKYRA's binaries started for real, with its output in a temporary file.
final class RunningProcess: @unchecked Sendable {
    // @unchecked: `process` is only started and signalled from the test that owns this object.
    let name: String
    let process = Process()
    let logPath: String

    init(_ name: String, arguments: [String] = [], environment: [String: String]) throws {
        self.name = name
        let binDirectory = ProcessInfo.processInfo.environment["ARKYRA_BIN_DIR"] ?? FileManager.default.currentDirectoryPath + "/.build/debug"
        process.executableURL = URL(fileURLWithPath: "\(binDirectory)/\(name)")
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ARKYRA_") }
        merged.merge(environment) { _, new in new }
        process.environment = merged
        logPath = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString.prefix(8)).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try ProcessLauncher.run(process)
    }

    /// The last lines the process printed, for failure messages.
    var output: String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(15).joined(separator: "\n")
    }

    /// Sends SIGTERM and waits up to `limit` for the process to exit; returns its exit status, or nil when
    /// it is still running (then it is killed).
    func terminate(within limit: Duration) async -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        let deadline = ContinuousClock.now + limit
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        return process.terminationStatus
    }
}
