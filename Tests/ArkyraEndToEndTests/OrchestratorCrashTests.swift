import ArkyraCore
import ArkyraTemporal
import ArkyraTestSupport
import Foundation
import PostgresNIO
import Testing

@Suite("End to end: the orchestrator killed with -9", .serialized)
struct OrchestratorCrashTests {
    @Test("an approval in progress carries on in a new orchestrator from Temporal's history, and schedules its post once")
    func killNine() async throws {
        try await PublishingWorld.run(channels: 1) { world in
            let queue = TestTemporal.taskQueue("crash")
            let environment = [
                "ARKYRA_DATABASE_URL": "postgres://\(world.databaseConfiguration.username):\(world.databaseConfiguration.password ?? "")@\(world.databaseConfiguration.host):\(world.databaseConfiguration.port)/\(world.databaseConfiguration.database)",
                "ARKYRA_REDIS_URL": "redis://\(world.redis.configuration.host):\(world.redis.configuration.port)/0",
                "ARKYRA_REDIS_KEY_PREFIX": world.redis.configuration.keyPrefix,
                "ARKYRA_TEMPORAL_ADDRESS": TestTemporal.address,
                "ARKYRA_TEMPORAL_TASK_QUEUE": queue,
            ]
            @Sendable func orchestrator() throws -> RunningProcess {
                try RunningProcess("arkyra-orchestrator", arguments: ["--env-file", "/nonexistent/.env"],
                                   environment: environment.merging(["ARKYRA_ADMIN_PORT": String(try freeTCPPort())]) { _, new in new })
            }
            let (post, _) = try await world.schedulePost("Approve me", at: Date().addingTimeInterval(3600))
            try await world.database.query("UPDATE posts SET state = 'draft' WHERE id = \(post.id)")

            try await TestTemporal.withService { service in
                let client = TemporalClient(service: service)
                // The activities run here; the workflow code runs in the orchestrator binaries.
                let activities = ActivityWorker(service: service, taskQueue: queue,
                                                activities: Workflows.activities(database: world.database, redis: world.redis, logger: TestEnvironment.logger),
                                                logger: TestEnvironment.logger)
                let polling = Task { try await activities.run() }
                defer { polling.cancel() }

                let first = try orchestrator()
                let id = "approval-crash-\(UUID().uuidString)"
                let runID = try await client.start(ApprovalWorkflow.self, id: id, taskQueue: queue, input: .init(
                    organizationID: world.organizationID, groupID: post.groupID, submittedBy: world.userID,
                    remindEverySeconds: 3600, escalateAfterSeconds: 7200
                ), searchAttributes: [Workflows.organizationAttribute: world.organizationID.uuidString])
                try await client.signal(workflowID: id, name: "decide", input: ApprovalWorkflow.Decision(verdict: .requestChanges, by: world.userID, comment: "shorter"))
                #expect(try await state(client, id, is: "changes_requested"), "\(first.output)")

                first.process.signal(SIGKILL)
                // Signals sent while no orchestrator runs wait in Temporal.
                try await client.signal(workflowID: id, name: "resubmit", input: ApprovalWorkflow.Resubmission(by: world.userID))
                let second = try orchestrator()
                #expect(try await state(client, id, is: "pending"), "\(second.output)")
                try await client.signal(workflowID: id, name: "decide", input: ApprovalWorkflow.Decision(verdict: .approve, by: world.userID, comment: nil))
                let result = try await client.result(workflowID: id, runID: runID, as: ApprovalWorkflow.State.self)
                #expect(result.status == "approved")
                #expect(result.scheduledPosts == 1)
                #expect(result.decisions.map(\.verdict) == [.requestChanges, .approve])
                #expect(try await world.reload(post).state == .scheduled)
                #expect(await second.terminate(within: .seconds(10)) == 0, "the orchestrator did not stop cleanly: \(second.output)")
            }
        }
    }

    /// Queries the approval until its status is `status` (false after 20 s).
    private func state(_ client: TemporalClient, _ id: String, is status: String) async throws -> Bool {
        for _ in 0..<200 {
            if let state = try? await client.query(workflowID: id, name: "state", as: ApprovalWorkflow.State.self), state.status == status { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
