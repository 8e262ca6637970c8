import ArkyraCore
import Foundation

/// A Redis server of a test's own, for tests that flush, stop or restart Redis without disturbing the
/// tests running beside them.
package final class TestRedisServer: StoppableTestServer, @unchecked Sendable {
    package let port: Int
    private let directory: String

    /// Starts a server (on `port`, or a free one), runs `body` with it, and stops it.
    package static func with<Result>(port: Int? = nil, _ body: (TestRedisServer) async throws -> Result) async throws -> Result {
        try await TestRedisServer(port: port).runThenStop(body)
    }

    private init(port: Int? = nil) async throws {
        self.port = try port ?? freeTCPPort()
        directory = NSTemporaryDirectory() + "arkyra-redis-\(self.port)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // The launcher exits once the server has daemonized.
        let launcher = try ChildProcess("/usr/bin/redis-server", [
            "--bind", "127.0.0.1", "--port", String(self.port), "--dir", directory, "--save", "", "--appendonly", "no",
            "--daemonize", "yes", "--pidfile", pidFile,
        ])
        _ = await launcher.waitForExit()
        for _ in 0..<100 {
            let redis = RedisClient(configuration: configuration())
            let up = (try? await redis.ping()) == true
            await redis.shutdown()
            if up { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        await stop()
        throw RedisError(.unavailable, "test redis-server on port \(self.port) did not start")
    }

    /// A configuration for this server with a fresh key prefix.
    package func configuration() -> RedisConfiguration {
        var configuration = TestEnvironment.redisConfiguration()
        configuration.port = port
        return configuration
    }

    /// The URL the binaries take.
    package var url: String { "redis://127.0.0.1:\(port)/0" }

    private var pidFile: String { directory + "/redis.pid" }

    /// Kills the server, as an outage would, and waits until it is gone. The server runs daemonized, so it is
    /// not this process's child and `kill(pid, 0)` tells when it has exited. (SIGKILL, because a test process
    /// running a service group passes on an ignored SIGTERM to the programs it starts.)
    package func stop() async {
        if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(pid, SIGKILL)
            for _ in 0..<100 where kill(pid, 0) == 0 {
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
