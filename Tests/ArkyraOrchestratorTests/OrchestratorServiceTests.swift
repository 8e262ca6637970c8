import ArkyraCore
import ArkyraTemporal
import HTTPTypes
@testable import ArkyraOrchestrator
import ArkyraTestSupport
import HummingbirdTesting
import Testing

@Suite("Orchestrator service")
struct OrchestratorServiceTests {
    @Test("starts, connects, and serves health and metrics on its admin port")
    func healthy() async throws {
        try await TestEnvironment.withDatabase { _, database async throws in
            let configuration = TestEnvironment.service(database: database, redis: TestEnvironment.redisConfiguration())
            try await buildOrchestrator(configuration: configuration, logger: TestEnvironment.logger).test(.live) { client in
                // Ready once PostgreSQL, Redis and Temporal answer (the first call to Temporal opens its connection).
                var status = HTTPResponse.Status.serviceUnavailable
                for _ in 0..<100 where status != .ok {
                    try await client.execute(uri: "/health", method: .get) { status = $0.status }
                    if status != .ok { try await Task.sleep(for: .milliseconds(200)) }
                }
                #expect(status == .ok)
                try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                }
            }
        }
    }
}

@Suite("Orchestrator and Temporal")
struct OrchestratorTemporalTests {
    @Test("readiness is false while Temporal does not answer and true again by itself once it does")
    func readinessFollowsTemporal() async throws {
        let port = try freeTCPPort()
        let target = try #require(Int(TestTemporal.address.split(separator: ":").last ?? ""))
        try await TestEnvironment.withDatabase { _, database async throws in
            var configuration = TestEnvironment.service(database: database, redis: TestEnvironment.redisConfiguration())
            configuration.orchestration.temporal = try TemporalConfiguration(address: "127.0.0.1:\(port)", identity: "test", attempts: 1)
            try await buildOrchestrator(configuration: configuration, logger: TestEnvironment.logger).test(.live) { client in
                try await client.execute(uri: "/health", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(String(buffer: response.body).contains("temporal"))
                }
                try await TCPForwarder.with(port: port, targetPort: target) { _ in
                    var status = HTTPResponse.Status.serviceUnavailable
                    for _ in 0..<100 where status != .ok {
                        try await client.execute(uri: "/health", method: .get) { status = $0.status }
                        if status != .ok { try await Task.sleep(for: .milliseconds(200)) }
                    }
                    #expect(status == .ok)
                }
            }
        }
    }
}
