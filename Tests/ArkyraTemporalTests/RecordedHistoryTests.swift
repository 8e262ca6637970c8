import ArkyraTemporal
import Foundation
import Testing

/// Histories recorded from the dev server (Histories/, written by the live tests with ARKYRA_RECORD_HISTORIES=1),
/// replayed without a server: what a worker does with a run after a restart or a deploy.
@Suite("Temporal: recorded histories replay through the workflows' code")
struct RecordedHistoryTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Histories")

    func history(_ name: String) throws -> Data {
        try Data(contentsOf: Self.folder.appendingPathComponent("\(name).json"))
    }

    @Test("a run of activities, a signal, a timer and a retried activity replays through its code, and not through changed code")
    func greeting() throws {
        try WorkflowReplayer.replay(historyJSON: try history("greeting"), workflows: [Greeting.self])
        #expect(throws: (any Error).self) { try WorkflowReplayer.replay(historyJSON: try history("greeting"), workflows: [GreetingChanged.self]) }
    }

    @Test("a run recorded before a patch replays through the patched code on its old path; a run after it needs the patched code")
    func patch() throws {
        try WorkflowReplayer.replay(historyJSON: try history("patchable-v1"), workflows: [Patchable.self])
        try WorkflowReplayer.replay(historyJSON: try history("patchable-v1"), workflows: [PatchableV2.self])
        try WorkflowReplayer.replay(historyJSON: try history("patchable-v2"), workflows: [PatchableV2.self])
        #expect(throws: (any Error).self) { try WorkflowReplayer.replay(historyJSON: try history("patchable-v2"), workflows: [Patchable.self]) }
        // Changing the first step without the patch breaks the old run.
        #expect(throws: (any Error).self) { try WorkflowReplayer.replay(historyJSON: try history("patchable-v1"), workflows: [PatchableUnguarded.self]) }
    }

    @Test("a parent's side effect, upserts and children replay; so do a cancelled race and a heartbeat timeout")
    func childrenAndCancellation() throws {
        try WorkflowReplayer.replay(historyJSON: try history("family"), workflows: [Family.self])
        try WorkflowReplayer.replay(historyJSON: try history("race"), workflows: [Race.self])
    }
}
