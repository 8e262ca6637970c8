import Foundation

/// Starts child processes one at a time. Foundation's `Process.run()` on Linux is not safe to call from several
/// threads at once (two launches racing crashed the test process in its environment copy), and the worker starts
/// ffmpeg from several jobs together; everything that starts a process goes through here.
package enum ProcessLauncher {
    private static let lock = NSLock()

    package static func run(_ process: Process) throws {
        try lock.withLock { try process.run() }
    }
}
