import Foundation
import Testing

@Suite("End to end: a configuration error stops a binary with status 78 and one line naming the key")
struct ConfigurationErrorTests {
    @Test("each service binary and the migrate command", arguments: [
        ("arkyra-api", [String](), "ARKYRA_API_PORT", "eighty"),
        ("arkyra-api", ["migrate"], "ARKYRA_DATABASE_URL", "not a url"),
        ("arkyra-worker", [], "ARKYRA_WORKER_CONCURRENCY", "0"),
        ("arkyra-cron", [], "ARKYRA_RECONCILE_INTERVAL_SECONDS", "never"),
        ("arkyra-orchestrator", [], "ARKYRA_ADMIN_PORT", "-1"),
    ])
    func exitsWith78(binary: String, arguments: [String], key: String, value: String) async throws {
        let process = try RunningProcess(binary, arguments: arguments + ["--env-file", "/nonexistent/.env"], environment: [
            key: value, "ARKYRA_JWT_SECRET": String(repeating: "config-secret-", count: 4),
            "ARKYRA_ENCRYPTION_KEYS": "k:" + Data(repeating: 7, count: 32).base64EncodedString(),
        ])
        let deadline = ContinuousClock.now + .seconds(20)
        while process.process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(await process.terminate(within: .seconds(1)) == 78, "\(binary): \(process.output)")
        #expect(process.output.contains(key), "\(binary) should name \(key): \(process.output)")
    }
}
