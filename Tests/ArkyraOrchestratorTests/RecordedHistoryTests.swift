import ArkyraCore
import ArkyraTemporal
import Foundation
import Testing

/// Every history in Histories/ (recorded by the API tests with ARKYRA_RECORD_HISTORIES=1, or downloaded from the
/// Temporal UI) replays through today's workflows: a change that would break the runs open at a deploy fails here.
@Suite("Orchestrator: recorded runs of every workflow replay through today's code")
struct RecordedHistoryTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Histories")

    static func histories() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// The workflow type a history's first event started.
    static func workflowType(of history: Data) throws -> String? {
        let object = try JSONSerialization.jsonObject(with: history) as? [String: Any]
        let first = (object?["events"] as? [[String: Any]])?.first
        let started = first?["workflowExecutionStartedEventAttributes"] as? [String: Any]
        return (started?["workflowType"] as? [String: Any])?["name"] as? String
    }

    @Test("each recorded history replays without a difference")
    func replay() throws {
        let files = try Self.histories()
        #expect(!files.isEmpty)
        for file in files {
            #expect(throws: Never.self, "\(file.lastPathComponent)") {
                try WorkflowReplayer.replay(historyJSON: try Data(contentsOf: file), workflows: Workflows.all)
            }
        }
    }

    @Test("every workflow has a recorded history, so a change to any of them is checked")
    func coverage() throws {
        var types: Set<String> = []
        for file in try Self.histories() {
            if let type = try Self.workflowType(of: try Data(contentsOf: file)) { types.insert(type) }
        }
        #expect(Set(Workflows.names).isSubset(of: types), "no recorded history of \(Set(Workflows.names).subtracting(types).sorted())")
    }
}
