import ArkyraCore
import ArkyraTemporal
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Testing

@Suite("API: approvals on Temporal", .serialized)
struct ApprovalTests {
    /// The orchestrator's workflow worker and the worker's activity worker, in this process, on the API's task queue.
    static func withWorkers(_ api: APITestHarness, queue: String, _ body: @Sendable () async throws -> Void) async throws {
        try await TestEnvironment.withClient(api.database) { database in
            try await TestTemporal.withService { service in
                let logger = TestEnvironment.logger
                let workflows = WorkflowWorker(service: service, taskQueue: queue, workflows: Workflows.all, logger: logger)
                let activities = ActivityWorker(service: service, taskQueue: queue,
                                                activities: Workflows.activities(database: database, redis: api.redis, logger: logger), logger: logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await workflows.run() }
                    group.addTask { try await activities.run() }
                    defer { group.cancelAll() }
                    try await body()
                }
            }
        }
    }

    /// Asks for the approval until `done` holds for it (the workflow answers signals within a workflow task).
    private func approval(_ api: APITestHarness, _ path: String, token: String, until done: ([String: Any]) -> Bool) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        for _ in 0..<300 {
            let response = try await api.request(.get, path, token: token)
            if response.status == .ok {
                last = response.json
                if done(last) { return last }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the approval never got there; last: \(last)")
        return last
    }

    @Test("an editor submits a draft group; an admin asks for changes, the editor resubmits, the admin approves and the posts are scheduled")
    func approvalRound() async throws {
        let queue = TestTemporal.taskQueue("approval")
        try await APITestHarness.run(configure: { $0.service.orchestration.taskQueue = queue }) { api in
            try await Self.withWorkers(api, queue: queue) {
                let owner = try await api.signUp()
                let organization = try await api.createOrganization(owner)
                let channel = try await api.connectMastodon(owner, organization: organization)
                let editor = try await api.member("editor", of: organization, invitedBy: owner)
                let viewer = try await api.member("viewer", of: organization, invitedBy: owner)
                let created = try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: editor.token, json: [
                    "publish_at": APITestHarness.future(), "draft": true, "variants": [["integration_id": channel, "content": "Needs a yes"]],
                ])
                #expect(created.status == .created)
                let post = try #require((created.json["posts"] as? [[String: Any]])?.first?["id"] as? String)
                let path = "/api/v1/organizations/\(organization)/posts/\(post)/approval"

                let submitted = try await api.request(.post, path, token: editor.token, json: ["remind_every_minutes": 60])
                #expect(submitted.status == .created, "\(submitted.json)")
                #expect(submitted.json["status"] as? String == "pending")
                #expect(try await api.request(.post, path, token: editor.token, json: [:]).errorCode == "approval_pending")
                #expect(try await api.request(.post, path, token: editor.token, json: ["remind_every_minutes": 0]).errorFields.keys.contains("remind_every_minutes"))

                // Viewers read it; only admins and owners decide; a verdict must be one of three.
                #expect(try await api.request(.get, path, token: viewer.token).status == .ok)
                #expect(try await api.request(.post, "\(path)/decision", token: viewer.token, json: ["verdict": "approve"]).status == .forbidden)
                #expect(try await api.request(.post, "\(path)/decision", token: editor.token, json: ["verdict": "approve"]).status == .forbidden)
                #expect(try await api.request(.post, "\(path)/decision", token: owner, json: ["verdict": "maybe"]).errorFields.keys.contains("verdict"))
                // Another organization's member sees nothing.
                let stranger = try await api.signUp()
                _ = try await api.createOrganization(stranger)
                #expect(try await api.request(.get, path, token: stranger).status == .notFound)
                #expect(try await api.request(.post, "\(path)/decision", token: stranger, json: ["verdict": "approve"]).status == .notFound)

                let changes = try await api.request(.post, "\(path)/decision", token: owner, json: ["verdict": "request_changes", "comment": "Say when"])
                #expect(changes.status == .accepted, "\(changes.json)")
                _ = try await approval(api, path, token: editor.token) { $0["status"] as? String == "changes_requested" }
                #expect(try await api.request(.post, "\(path)/decision", token: owner, json: ["verdict": "approve"]).errorCode == "not_waiting_for_decision")
                #expect(try await api.request(.post, "\(path)/resubmit", token: viewer.token, json: [:]).status == .forbidden)
                #expect(try await api.request(.post, "\(path)/resubmit", token: editor.token, json: [:]).status == .accepted)
                _ = try await approval(api, path, token: editor.token) { $0["status"] as? String == "pending" }

                // Two decisions at the same moment: one counts, the other is told so.
                let admin = try await api.member("admin", of: organization, invitedBy: owner)
                async let byOwner = api.request(.post, "\(path)/decision", token: owner, json: ["verdict": "approve"])
                async let byAdmin = api.request(.post, "\(path)/decision", token: admin.token, json: ["verdict": "approve", "comment": "me too"])
                let answers = try await [byOwner, byAdmin]
                #expect(answers.filter { $0.status == .accepted }.count == 1, "\(answers.map(\.json))")
                let loser = try #require(answers.first { $0.status != .accepted })
                #expect(["decision_taken", "not_waiting_for_decision"].contains(loser.errorCode ?? ""), "\(loser.json)")
                let done = try await approval(api, path, token: editor.token) { $0["run_status"] as? String == "completed" }
                #expect((done["decisions"] as? [[String: Any]])?.map { $0["verdict"] as? String } == ["request_changes", "approve"])
                #expect(done["status"] as? String == "approved")
                #expect(done["scheduled_posts"] as? Int == 1)
                try await TestTemporal.recordHistory(of: try #require(done["workflow_id"] as? String), as: "approval-changes-then-approved")
                #expect(try await api.request(.post, "\(path)/decision", token: owner, json: ["verdict": "reject"]).errorCode == "not_waiting_for_decision")

                // The group is scheduled through the pipeline, and the organization was told at each step.
                let posts = try await api.posts(owner, organization: organization)
                #expect(posts.first { $0["id"] as? String == post }?["state"] as? String == "scheduled")
                let notifications = try await api.request(.get, "/api/v1/organizations/\(organization)/notifications", token: owner)
                let kinds = Set(((notifications.json["notifications"] as? [[String: Any]]) ?? []).compactMap { $0["kind"] as? String })
                #expect(kinds.isSuperset(of: ["approval.changes_requested", "approval.resubmitted", "approval.approved"]), "\(kinds)")
                let audit = try await api.request(.get, "/api/v1/organizations/\(organization)/audit", token: owner)
                let actions = Set(((audit.json["entries"] as? [[String: Any]]) ?? []).compactMap { $0["action"] as? String })
                #expect(actions.isSuperset(of: ["approval.submitted", "approval.request_changes", "approval.resubmitted", "approval.approve", "post.approved"]), "\(actions)")

                // The organization's runs are listed by its search attribute; nobody else's.
                var listed: [String] = []
                for _ in 0..<150 {
                    let runs = try await api.request(.get, "/api/v1/organizations/\(organization)/workflows?type=Approval", token: viewer.token)
                    listed = ((runs.json["workflows"] as? [[String: Any]]) ?? []).compactMap { $0["workflow_id"] as? String }
                    if !listed.isEmpty { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(listed == [submitted.json["workflow_id"] as? String])
                let strangers = try await api.request(.get, "/api/v1/organizations/\(try await api.createOrganization(stranger, name: "Other"))/workflows", token: stranger)
                #expect((strangers.json["workflows"] as? [[String: Any]])?.isEmpty == true)
                #expect(try await api.request(.get, "/api/v1/organizations/\(organization)/workflows?type=Nope", token: owner).errorFields.keys.contains("type"))
            }
        }
    }

    @Test("a scheduled group cannot be submitted; a Temporal that does not answer gives 503 in words")
    func refusals() async throws {
        // Nothing listens on this port: the API's calls to Temporal fail as UNAVAILABLE.
        try await APITestHarness.run(configure: { configuration in
            configuration.service.orchestration.temporal = try! TemporalConfiguration(address: "127.0.0.1:9", identity: "test", attempts: 2)
        }) { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let channel = try await api.connectMastodon(owner, organization: organization)
            let base = "/api/v1/organizations/\(organization)/posts"
            let draft = try await api.request(.post, base, token: owner, json: [
                "publish_at": APITestHarness.future(), "draft": true, "variants": [["integration_id": channel, "content": "Draft"]],
            ])
            let scheduled = try await api.request(.post, base, token: owner, json: [
                "publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": "Scheduled"]],
            ])
            let draftID = try #require((draft.json["posts"] as? [[String: Any]])?.first?["id"] as? String)
            let scheduledID = try #require((scheduled.json["posts"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await api.request(.post, "\(base)/\(scheduledID)/approval", token: owner, json: [:]).errorCode == "not_a_draft")
            #expect(try await api.request(.post, "\(base)/\(UUID().uuidString)/approval", token: owner, json: [:]).status == .notFound)
            let down = try await api.request(.post, "\(base)/\(draftID)/approval", token: owner, json: [:])
            #expect(down.status == .serviceUnavailable)
            #expect(down.errorCode == "temporal_unavailable")
            #expect(try await api.request(.get, "/api/v1/organizations/\(organization)/workflows", token: owner).errorCode == "temporal_unavailable")
            let campaign = try await api.request(.post, "/api/v1/organizations/\(organization)/campaigns", token: owner, json: ["name": "Down", "post_ids": [draftID]])
            #expect(campaign.errorCode == "temporal_unavailable")
            // The rest of the API is not held up by it.
            #expect(try await api.request(.get, "/health").status == .ok)
        }
    }
}
