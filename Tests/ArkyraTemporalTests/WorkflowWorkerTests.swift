import ArkyraTemporal
import ArkyraTestSupport
import Foundation
import Logging
import Testing

@Suite("Temporal workflows against the dev server", .serialized)
struct WorkflowWorkerTests {
    let logger = Logger(label: "arkyra.tests.temporal")
    static let histories = "ArkyraTemporalTests/Histories"

    /// Runs the workflow and activity workers on `queue` while `body` runs.
    func withWorkers<T: Sendable>(
        _ service: WorkflowService, queue: String, workflows: [any Workflow.Type],
        _ body: @Sendable (TemporalClient) async throws -> T
    ) async throws -> T {
        let workflowWorker = WorkflowWorker(service: service, taskQueue: queue, workflows: workflows, logger: logger)
        let activityWorker = ActivityWorker(service: service, taskQueue: queue, activities: [Shout(), Flaky(), Dawdle(), Silent()], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await workflowWorker.run() }
            group.addTask { try await activityWorker.run() }
            defer { group.cancelAll() }
            return try await body(TemporalClient(service: service))
        }
    }

    @Test("a workflow runs an activity, waits for a signal, sleeps, retries an activity, answers queries and completes")
    func fullRun() async throws {
        try await TestTemporal.withService { service in
            let queue = TestTemporal.taskQueue("greeting")
            try await withWorkers(service, queue: queue, workflows: [Greeting.self]) { client in
                let id = "greeting-\(UUID().uuidString)"
                let runID = try await client.start(Greeting.self, id: id, taskQueue: queue, input: "ada",
                                                   searchAttributes: ["ArkyraOrganization": "org-test"])
                // Until the signal the run waits; its query says where.
                var state = Greeting.State(step: "", approvals: 0)
                for _ in 0..<100 {
                    if let answered = try? await client.query(workflowID: id, name: "state", as: Greeting.State.self) { state = answered }
                    if state.step == "waiting" { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(state == Greeting.State(step: "waiting", approvals: 0))
                try await client.signal(workflowID: id, name: "approve", input: true)
                let result = try await client.result(workflowID: id, runID: runID, as: String.self)
                #expect(result == "Hello, ADA (done, 2 attempts, approved)")
                try await TestTemporal.recordHistory(of: id, as: "greeting", in: Self.histories)

                let description = try await client.describe(workflowID: id)
                #expect(description.status == "completed")
                #expect(description.searchAttributes["ArkyraOrganization"] == "org-test")
                // A query of a closed run replays its history.
                #expect(try await client.query(workflowID: id, name: "state", as: Greeting.State.self) == Greeting.State(step: "done", approvals: 1))
                await expectQueryRefused { try await client.query(workflowID: id, name: "nonsense", as: String.self) }

                // Its history replays through the same code without a difference, and not through changed code.
                let history = try await client.history(workflowID: id, runID: runID)
                try WorkflowReplayer.replay(historyJSON: history, workflows: [Greeting.self])
                #expect(throws: (any Error).self) { try WorkflowReplayer.replay(historyJSON: history, workflows: [GreetingChanged.self]) }
            }
        }
    }

    @Test("an activity's non-retryable failure fails the workflow with its message")
    func failure() async throws {
        try await TestTemporal.withService { service in
            let queue = TestTemporal.taskQueue("refusing")
            try await withWorkers(service, queue: queue, workflows: [Refusing.self]) { client in
                let id = "refusing-\(UUID().uuidString)"
                let runID = try await client.start(Refusing.self, id: id, taskQueue: queue, input: Empty())
                do {
                    _ = try await client.result(workflowID: id, runID: runID, as: Empty.self)
                    Issue.record("the workflow should have failed")
                } catch let failure as WorkflowFailure {
                    #expect(failure.status == "failed")
                    #expect(failure.message.contains("refused on purpose"), "\(failure.message)")
                }
            }
        }
    }

    @Test("continue-as-new starts the next run with the new input until the last one completes")
    func continueAsNew() async throws {
        try await TestTemporal.withService { service in
            let queue = TestTemporal.taskQueue("countdown")
            try await withWorkers(service, queue: queue, workflows: [Countdown.self]) { client in
                let id = "countdown-\(UUID().uuidString)"
                let runID = try await client.start(Countdown.self, id: id, taskQueue: queue, input: 3)
                #expect(try await client.result(workflowID: id, runID: runID, as: String.self) == "liftoff")
            }
        }
    }

    @Test("a patched workflow replays a run recorded before the patch on its old path, and new runs take the new one")
    func patching() async throws {
        try await TestTemporal.withService { service in
            let queue = TestTemporal.taskQueue("patch")
            let oldHistory = try await withWorkers(service, queue: queue, workflows: [Patchable.self]) { client in
                let id = "patch-old-\(UUID().uuidString)"
                let runID = try await client.start(Patchable.self, id: id, taskQueue: queue, input: "")
                #expect(try await client.result(workflowID: id, runID: runID, as: String.self) == "OLD")
                try await TestTemporal.recordHistory(of: id, as: "patchable-v1", in: Self.histories)
                return try await client.history(workflowID: id, runID: runID)
            }
            try WorkflowReplayer.replay(historyJSON: oldHistory, workflows: [PatchableV2.self])

            let queue2 = TestTemporal.taskQueue("patch2")
            let newHistory = try await withWorkers(service, queue: queue2, workflows: [PatchableV2.self]) { client in
                let id = "patch-new-\(UUID().uuidString)"
                let runID = try await client.start(PatchableV2.self, id: id, taskQueue: queue2, input: "")
                #expect(try await client.result(workflowID: id, runID: runID, as: String.self) == "new")
                try await TestTemporal.recordHistory(of: id, as: "patchable-v2", in: Self.histories)
                return try await client.history(workflowID: id, runID: runID)
            }
            try WorkflowReplayer.replay(historyJSON: newHistory, workflows: [PatchableV2.self])
            // The new run's history has the patch's marker: the old code cannot replay it.
            #expect(throws: (any Error).self) { try WorkflowReplayer.replay(historyJSON: newHistory, workflows: [Patchable.self]) }
        }
    }

    @Test("a parent records a side effect, upserts its memo and search attribute, runs a child listed with it, and is refused a second child under the same id")
    func childWorkflows() async throws {
        try await TestTemporal.withService { service in
            let queue = TestTemporal.taskQueue("family")
            try await withWorkers(service, queue: queue, workflows: [Family.self, Echo.self]) { client in
                let id = "family-\(UUID().uuidString)"
                let organization = "org-\(UUID().uuidString)"
                let runID = try await client.start(Family.self, id: id, taskQueue: queue, input: organization)
                let output = try await client.result(workflowID: id, runID: runID, as: Family.Output.self)
                #expect(output.child == "KID")
                #expect(output.duplicate == "already_started")
                #expect(UUID(uuidString: output.token) != nil)
                try await TestTemporal.recordHistory(of: id, as: "family", in: Self.histories)
                let parent = try await client.describe(workflowID: id)
                #expect(parent.memo["stage"] == "done")
                #expect(parent.searchAttributes["ArkyraOrganization"] == organization)
                let child = try await client.describe(workflowID: "\(id)-child")
                #expect(child.status == "completed")
                #expect(child.searchAttributes["ArkyraOrganization"] == organization)
                // Both are listed by the attribute (visibility catches up within a moment).
                var listed: [String] = []
                for _ in 0..<50 {
                    listed = try await client.list(query: "ArkyraOrganization = '\(organization)'", pageSize: 10, pageToken: Data()).runs.map(\.workflowID)
                    if listed.count == 2 { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(Set(listed) == [id, "\(id)-child"])
                // The replay reads the side effect's value from the history (a second UUID would not match).
                try WorkflowReplayer.replay(historyJSON: try await client.history(workflowID: id, runID: runID), workflows: [Family.self])
            }
        }
    }

    @Test("cancelling the tasks of a lost race cancels their activity (which hears it at its heartbeat) and timer; a silent activity times out by its heartbeat timeout")
    func cancellation() async throws {
        try await TestTemporal.withService { service in
            let queue = TestTemporal.taskQueue("race")
            try await withWorkers(service, queue: queue, workflows: [Race.self]) { client in
                let id = "race-\(UUID().uuidString)"
                let runID = try await client.start(Race.self, id: id, taskQueue: queue, input: Empty())
                // Once the activity runs, the signal ends the race.
                for _ in 0..<100 where !Dawdle.started.withLock({ $0.contains(id) }) {
                    try await Task.sleep(for: .milliseconds(100))
                }
                try await client.signal(workflowID: id, name: "stop", input: Empty())
                let outcomes = try await client.result(workflowID: id, runID: runID, as: [String].self)
                #expect(outcomes.first == "stop signalled")
                #expect(Set(outcomes.dropFirst().prefix(2)) == ["activity cancelled", "timer cancelled"])
                #expect(outcomes.last == "timeout (heartbeat)", "\(outcomes)")
                try await TestTemporal.recordHistory(of: id, as: "race", in: Self.histories)
                let historyJSON = try await client.history(workflowID: id, runID: runID)
                let history = String(decoding: historyJSON, as: UTF8.self)
                for event in ["ACTIVITY_TASK_CANCEL_REQUESTED", "TIMER_CANCELED", "ACTIVITY_TASK_TIMED_OUT"] {
                    #expect(history.contains("EVENT_TYPE_\(event)\""), "no \(event) in the history")
                }
                // The activity hears the cancellation at its next heartbeat the SDK sends (heartbeats are throttled
                // to a fraction of the heartbeat timeout), which may come after the workflow closed; so the test
                // waits for the activity, not for ACTIVITY_TASK_CANCELED in the history.
                for _ in 0..<100 where !Dawdle.cancelled.withLock({ $0.contains(id) }) {
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(Dawdle.cancelled.withLock { $0.contains(id) }, "the activity never heard its cancellation")
                try WorkflowReplayer.replay(historyJSON: historyJSON, workflows: [Race.self])
            }
        }
    }

    @Test("Temporal's Python SDK starts, queries and signals a workflow our workers run, and reads its payloads")
    func pythonClient() async throws {
        try await TestTemporal.withService { service in
            let queue = TestTemporal.taskQueue("python")
            try await withWorkers(service, queue: queue, workflows: [Greeting.self]) { _ in
                let run = try await TestPython.run("Tests/TemporalClients/temporalio_py.py", [TestTemporal.address, queue, "python-\(UUID().uuidString)"])
                #expect(run.status == 0, "\(run.output)")
                #expect(run.output.contains("ok"))
            }
        }
    }

    func expectQueryRefused(_ query: () async throws -> String) async {
        do {
            _ = try await query()
            Issue.record("the query should have been refused")
        } catch TemporalError.queryFailed(let message) {
            #expect(message.contains("no query nonsense"), "\(message)")
        } catch {
            Issue.record("unexpected error: \(error)")
        }
    }
}
