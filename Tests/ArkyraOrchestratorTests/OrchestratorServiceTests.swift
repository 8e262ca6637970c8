import ArkyraCore
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
                try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                }
            }
        }
    }
}
