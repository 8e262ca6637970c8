import Foundation
import PostgresNIO

/// One dependency check behind `/health`: a name and a probe that throws when the dependency is unwell.
package struct HealthCheck: Sendable {
    package let name: String
    let probe: @Sendable () async throws -> Void

    package init(name: String, probe: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.probe = probe
    }

    /// `SELECT 1` on the database.
    package static func database(_ client: Database) -> HealthCheck {
        HealthCheck(name: "db") { try await client.ping() }
    }

    /// `PING` on Redis.
    package static func redis(_ client: RedisClient) -> HealthCheck {
        HealthCheck(name: "redis") {
            guard try await client.ping() else { throw RedisError(.unexpectedReply, "PING did not answer PONG") }
        }
    }

    /// A write, read and delete in the media storage.
    package static func storage(_ storage: any MediaStorage) -> HealthCheck {
        HealthCheck(name: "storage") { try await storage.probe() }
    }
}

/// The outcome of running health checks, as `/health` answers it.
package struct HealthReport: Sendable, Codable, Equatable {
    package struct Check: Sendable, Codable, Equatable {
        package var status: String
        package var latencyMs: Int
        package var error: String?

        enum CodingKeys: String, CodingKey {
            case status, error
            case latencyMs = "latency_ms"
        }
    }

    /// `ok` when every check passed, else `unavailable`.
    package var status: String
    package var checks: [String: Check]

    package var isHealthy: Bool { status == "ok" }

    /// Runs `checks` concurrently, each bounded by `timeout`.
    package static func run(_ checks: [HealthCheck], timeout: Duration = .seconds(2)) async -> HealthReport {
        let results = await withTaskGroup(of: (String, Check).self) { group in
            for check in checks {
                group.addTask {
                    let clock = ContinuousClock()
                    let start = clock.now
                    do {
                        try await withTimeout(timeout) { try await check.probe() }
                        return (check.name, Check(status: "ok", latencyMs: Int((clock.now - start).milliseconds), error: nil))
                    } catch {
                        return (check.name, Check(status: "unavailable", latencyMs: Int((clock.now - start).milliseconds), error: Self.describe(error)))
                    }
                }
            }
            var results: [String: Check] = [:]
            for await (name, check) in group { results[name] = check }
            return results
        }
        return HealthReport(status: results.values.allSatisfy { $0.status == "ok" } ? "ok" : "unavailable", checks: results)
    }

    /// A short, secret-free description of why a check failed.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            return "database: \(error.code)" + (error.serverInfo?[.message].map { " \($0)" } ?? "")
        }
        return "\(error)"
    }
}
