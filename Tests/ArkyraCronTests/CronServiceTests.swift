import ArkyraCore
@testable import ArkyraCron
import ArkyraTestSupport
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Cron service")
struct CronServiceTests {
    @Test("starts, connects to PostgreSQL and Redis, and reports healthy on its admin port")
    func healthy() async throws {
        try await TestEnvironment.withDatabase { _, database async throws in
            let configuration = TestEnvironment.service(database: database, redis: TestEnvironment.redisConfiguration())
            try await buildCron(configuration: CronConfiguration(service: configuration), logger: TestEnvironment.logger).test(.live) { client in
                // Read until both probes answer within their two seconds (a busy machine can miss them once).
                var report: (status: HTTPResponse.Status, checks: [String: [String: Any]]) = (.serviceUnavailable, [:])
                for _ in 0..<10 {
                    report = try await client.execute(uri: "/health", method: .get) { ($0.status, $0.json["checks"] as? [String: [String: Any]] ?? [:]) }
                    if report.status == .ok { break }
                    try await Task.sleep(for: .milliseconds(500))
                }
                #expect(report.status == .ok)
                #expect(report.checks["db"]?["status"] as? String == "ok")
                #expect(report.checks["redis"]?["status"] as? String == "ok")
                try await client.execute(uri: "/health/live", method: .get) { #expect($0.status == .ok) }
            }
        }
    }

    @Test("reports 503 while PostgreSQL is unreachable")
    func unhealthy() async throws {
        var database = TestEnvironment.maintenanceDatabase
        database.port = 1
        let configuration = TestEnvironment.service(database: database, redis: TestEnvironment.redisConfiguration())
        try await buildCron(configuration: CronConfiguration(service: configuration), logger: TestEnvironment.logger).test(.live) { client in
            // Each probe has two seconds; on a machine busy with the rest of the suite a Redis probe can miss
            // them once, so the report is read until Redis answers in time (PostgreSQL never does here).
            var checks: [String: [String: Any]] = [:]
            for _ in 0..<10 {
                checks = try await client.execute(uri: "/health", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    return response.json["checks"] as? [String: [String: Any]] ?? [:]
                }
                #expect(checks["db"]?["status"] as? String == "unavailable")
                if checks["redis"]?["status"] as? String == "ok" { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(checks["redis"]?["status"] as? String == "ok")
        }
    }
}
