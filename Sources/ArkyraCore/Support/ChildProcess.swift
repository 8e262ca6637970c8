import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program started with posix_spawn, instead of Foundation's `Process`: on Linux, `Process.run()` reads
/// `/proc/self/fd` with a dirent over-read that crashes the caller now and then (swift-corelibs-foundation
/// #5472), more often in a process with many open sockets, as the worker and the tests are.
package final class ChildProcess: Sendable {
    package let pid: pid_t
    private let exit = ExitStatus()

    /// Starts `executable` (a path) with `arguments` and `environment` (this process's when nil); standard input,
    /// output and error are the file descriptors given (else /dev/null). The parent's other descriptors are not inherited.
    package init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                 standardInput: Int32? = nil, standardOutput: Int32? = nil, standardError: Int32? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { if null >= 0 { close(null) } }
        for (source, target) in [(standardInput ?? null, STDIN_FILENO), (standardOutput ?? null, STDOUT_FILENO), (standardError ?? null, STDERR_FILENO)] {
            posix_spawn_file_actions_adddup2(&actions, source, target)
        }
        // glibc 2.34+; Swift does not import it, so it is looked up (without it, descriptors marked close-on-exec
        // still close, others are inherited).
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let variables = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            variables.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, variables)
        guard result == 0 else { throw ChildProcessError(executable: executable, reason: String(cString: strerror(result))) }
        self.pid = pid
    }

    /// Whether the program is still running (reaps it once it has exited).
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }

    package var isRunning: Bool { exit.status(of: pid, blocking: false) == nil }

    /// The exit status (128 + the signal's number when a signal ended it), once it has exited.
    package func waitForExit() async -> Int32 {
        while true {
            if let status = exit.status(of: pid, blocking: false) { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Blocks the calling thread until the program exits (for a short one, outside async code).
    package func waitUntilExit() -> Int32 {
        exit.status(of: pid, blocking: true) ?? -1
    }

    package func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }
}

package struct ChildProcessError: Error, CustomStringConvertible {
    package let executable: String
    package let reason: String
    package var description: String { "could not start \(executable): \(reason)" }
}

/// The reaped status of one child, kept so that it is reaped once.
private final class ExitStatus: @unchecked Sendable {
    private let lock = NSLock()
    private var status: Int32?

    func status(of pid: pid_t, blocking: Bool) -> Int32? {
        lock.withLock {
            if let status { return status }
            var raw: Int32 = 0
            guard waitpid(pid, &raw, blocking ? 0 : WNOHANG) == pid else { return nil }
            // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
            status = raw & 0x7F == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
            return status
        }
    }
}
