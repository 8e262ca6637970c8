import ArkyraCore
@testable import ArkyraCron
import ArkyraTestSupport
import HummingbirdTesting
import Testing

@Suite("Cron service")
struct CronServiceTests {
    @Test("starts, connects to PostgreSQL and Redis, and reports healthy on its admin port")
    func healthy() async throws {
        try await TestEnvironment.withDatabase { _, database async throws in
            let configuration = TestEnvironment.service(database: database, redis: TestEnvironment.redisConfiguration())
            try await buildCron(configuration: CronConfiguration(service: configuration), logger: TestEnvironment.logger).test(.live) { client in
                try await client.execute(uri: "/health", method: .get) { response in
                    #expect(response.status == .ok)
                    let checks = response.json["checks"] as? [String: [String: Any]] ?? [:]
                    #expect(checks["db"]?["status"] as? String == "ok")
                    #expect(checks["redis"]?["status"] as? String == "ok")
                }
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
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let checks = response.json["checks"] as? [String: [String: Any]] ?? [:]
                #expect(checks["db"]?["status"] as? String == "unavailable")
                #expect(checks["redis"]?["status"] as? String == "ok")
            }
        }
    }
}
