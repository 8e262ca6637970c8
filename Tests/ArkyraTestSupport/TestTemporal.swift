import ArkyraTemporal
import Foundation
import Logging

/// The Temporal dev server `scripts/temporal-server.sh` starts, as `ARKYRA_TEST_TEMPORAL_ADDRESS` names it.
package enum TestTemporal {
    package static var address: String {
        ProcessInfo.processInfo.environment["ARKYRA_TEST_TEMPORAL_ADDRESS"] ?? "127.0.0.1:47233"
    }

    package static func configuration(identity: String = "arkyra-tests") throws -> TemporalConfiguration {
        try TemporalConfiguration(address: address, namespace: "default", identity: identity, callTimeout: .seconds(30), pollTimeout: .seconds(70))
    }

    /// Runs `body` with a connected WorkflowService, shutting it down after.
    package static func withService<T: Sendable>(
        identity: String = "arkyra-tests", _ body: @Sendable (WorkflowService) async throws -> T
    ) async throws -> T {
        let service = WorkflowService(configuration: try configuration(identity: identity), logger: Logger(label: "arkyra.tests.temporal"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            defer { service.shutdown(); group.cancelAll() }
            return try await body(service)
        }
    }

    /// A task queue no other test polls.
    package static func taskQueue(_ name: String) -> String { "test-\(name)-\(UUID().uuidString.prefix(8))" }

    package static let missing = "no Temporal server at ARKYRA_TEST_TEMPORAL_ADDRESS: run `make test`, or `scripts/temporal-server.sh start`"
}

extension TestTemporal {
    /// With `ARKYRA_RECORD_HISTORIES=1`, saves the history of `workflowID`'s latest run as `Tests/<folder>/<name>.json`,
    /// the input of the replay tests that run without a server (`folder` is ArkyraOrchestratorTests/Histories for
    /// ARKYRA's workflows, ArkyraTemporalTests/Histories for the SDK's). Does nothing otherwise.
    package static func recordHistory(of workflowID: String, as name: String, in folder: String = "ArkyraOrchestratorTests/Histories") async throws {
        guard ProcessInfo.processInfo.environment["ARKYRA_RECORD_HISTORIES"] == "1" else { return }
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        try await withService { service in
            let client = TemporalClient(service: service)
            let run = try await client.describe(workflowID: workflowID)
            let history = try await client.history(workflowID: workflowID, runID: run.runID)
            try history.write(to: tests.appendingPathComponent(folder).appendingPathComponent("\(name).json"))
        }
    }
}
