import ArkyraCore
import ArkyraTestSupport
import Foundation

/// One of ARKYRA's binaries started for real, with its output in a temporary file.
final class RunningProcess: Sendable {
    let name: String
    let process: ChildProcess
    let logPath: String

    init(_ name: String, arguments: [String] = [], environment: [String: String]) throws {
        self.name = name
        let binDirectory = ProcessInfo.processInfo.environment["ARKYRA_BIN_DIR"] ?? FileManager.default.currentDirectoryPath + "/.build/debug"
        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ARKYRA_") }
        // The test's Temporal, on a task queue of its own: never the default queue a `make run` on this machine polls.
        merged["ARKYRA_TEMPORAL_ADDRESS"] = TestTemporal.address
        merged["ARKYRA_TEMPORAL_TASK_QUEUE"] = TestTemporal.taskQueue(name)
        merged.merge(environment) { _, new in new }
        logPath = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString.prefix(8)).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? log.close() }
        process = try ChildProcess("\(binDirectory)/\(name)", arguments, environment: merged,
                                   standardOutput: log.fileDescriptor, standardError: log.fileDescriptor)
    }

    /// The last lines the process printed, for failure messages.
    var output: String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(15).joined(separator: "\n")
    }

    /// Sends SIGTERM and waits up to `limit` for the process to exit; returns its exit status, or nil when
    /// it is still running (then it is killed).
    func terminate(within limit: Duration) async -> Int32? {
        guard process.isRunning else { return await process.waitForExit() }
        process.signal(SIGTERM)
        let deadline = ContinuousClock.now + limit
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            process.signal(SIGKILL)
            return nil
        }
        return await process.waitForExit()
    }
}
