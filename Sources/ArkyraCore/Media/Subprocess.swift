import Foundation
import Synchronization

/// Runs a program (ffmpeg, ffprobe) to completion within a deadline, without blocking a thread while it
/// runs: its standard output is handed on line by line as it comes (ffmpeg's `-progress`), its standard
/// error is kept (the last 8 KiB, for the message). Past the deadline, or when the task is cancelled, the
/// program gets SIGTERM and, two seconds later, SIGKILL.
package enum Subprocess {
    package struct Outcome: Sendable {
        package var status: Int32
        package var output: Data
        /// The end of standard error.
        package var errorTail: String
    }

    /// Why the program did not finish.
    package enum Failure: Error, Equatable, CustomStringConvertible {
        case cannotStart(String)
        case deadlineExceeded(Duration)

        package var description: String {
            switch self {
            case .cannotStart(let reason): "could not start: \(reason)"
            case .deadlineExceeded(let limit): "did not finish within \(limit)"
            }
        }
    }

    /// - Parameter onLine: called with each line of standard output (then not kept in ``Outcome/output``).
    package static func run(_ executable: String, _ arguments: [String], deadline limit: Duration,
                            onLine: (@Sendable (String) -> Void)? = nil) async throws -> Outcome {
        let output = Pipe(), errors = Pipe()
        let collected = Collected()
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            collected.append(output: data, lines: onLine)
        }
        errors.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            collected.append(error: data)
        }
        let child: ChildProcess
        do {
            child = try ChildProcess(executable, arguments, standardOutput: output.fileHandleForWriting.fileDescriptor,
                                     standardError: errors.fileHandleForWriting.fileDescriptor)
        } catch {
            throw Failure.cannotStart("\(executable): \(error)")
        }
        // The child holds its own copies; the pipes end when it exits.
        try? output.fileHandleForWriting.close()
        try? errors.fileHandleForWriting.close()
        let status: Int32? = await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await child.waitForExit() }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            if first == nil {
                // The deadline (or cancellation): ask, then insist, then wait for the exit.
                child.signal(SIGTERM)
                try? await Task.sleep(for: .seconds(2))
                child.signal(SIGKILL)
            }
            group.cancelAll()
            return first
        }
        // Let the pipes drain what the program wrote last.
        output.fileHandleForReading.readabilityHandler = nil
        errors.fileHandleForReading.readabilityHandler = nil
        collected.append(output: (try? output.fileHandleForReading.readToEnd()) ?? Data(), lines: onLine, final: true)
        collected.append(error: (try? errors.fileHandleForReading.readToEnd()) ?? Data())
        guard let status else {
            _ = await child.waitForExit()
            throw Failure.deadlineExceeded(limit)
        }
        return collected.outcome(status: status)
    }

    /// The first executable named `name` in `PATH` (or `name` itself when it is a path).
    package static func locate(_ name: String, path: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// What the pipes delivered; written from their handlers' threads.
    private final class Collected: Sendable {
        private struct State {
            var output = Data()
            var partialLine = Data()
            var errors = Data()
        }
        private let state = Mutex(State())
        static let errorTailBytes = 8 * 1024

        func append(output data: Data, lines onLine: (@Sendable (String) -> Void)?, final: Bool = false) {
            let lines: [String] = state.withLock { state in
                guard onLine != nil else { state.output += data; return [] }
                state.partialLine += data
                var lines: [String] = []
                while let newline = state.partialLine.firstIndex(of: 0x0A) {
                    lines.append(String(decoding: state.partialLine[state.partialLine.startIndex..<newline], as: UTF8.self))
                    state.partialLine = Data(state.partialLine[(newline + 1)...])
                }
                if final, !state.partialLine.isEmpty {
                    lines.append(String(decoding: state.partialLine, as: UTF8.self))
                    state.partialLine = Data()
                }
                return lines
            }
            for line in lines { onLine?(line) }
        }

        func append(error data: Data) {
            state.withLock { state in
                state.errors += data
                if state.errors.count > Self.errorTailBytes * 2 { state.errors = Data(state.errors.suffix(Self.errorTailBytes)) }
            }
        }

        func outcome(status: Int32) -> Outcome {
            state.withLock { state in
                Outcome(status: status, output: state.output, errorTail: String(decoding: state.errors.suffix(Self.errorTailBytes), as: UTF8.self))
            }
        }
    }
}
