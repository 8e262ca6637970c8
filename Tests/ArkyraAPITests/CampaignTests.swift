import ArkyraCore
import ArkyraTemporal
import ArkyraTestSupport
import ArkyraWorker
import Foundation
import HTTPTypes
import Hummingbird
import Testing

@Suite("API: campaigns on Temporal", .serialized)
struct CampaignTests {
    /// Asks for the campaign until `done` holds for it.
    private func campaign(_ api: APITestHarness, _ path: String, token: String, until done: ([String: Any]) -> Bool) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        for _ in 0..<600 {
            let response = try await api.request(.get, path, token: token)
            if response.status == .ok {
                last = response.json
                if done(last) { return last }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the campaign never got there; last: \(last)")
        return last
    }

    private func review(_ campaign: [String: Any]) -> String? { (campaign["review"] as? [String: Any])?["status"] as? String }

    private func draft(_ api: APITestHarness, _ token: String, organization: String, channel: String, _ content: String, in seconds: TimeInterval = 3)
        async throws -> String
    {
        let created = try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: token, json: [
            "publish_at": APITestHarness.future(seconds), "draft": true, "variants": [["integration_id": channel, "content": content]],
        ])
        #expect(created.status == .created, "\(created.json)")
        return try #require((created.json["posts"] as? [[String: Any]])?.first?["id"] as? String)
    }

    @Test("a campaign of two draft groups is reviewed as its child approval, published when approved, and collects each group's outcome and counts")
    func campaignRound() async throws {
        let queue = TestTemporal.taskQueue("campaign")
        try await APITestHarness.run(configure: {
            $0.service.orchestration.taskQueue = queue
            $0.service.orchestration.campaignCountsWaitSeconds = 2
        }) { api in
            // arkyra-worker publishes the posts and reads their counts from the sandbox.
            var service = TestEnvironment.service(database: api.database, redis: api.redis.configuration)
            service.platforms = TestEnvironment.sandboxPlatforms(port: api.sandboxPort)
            service.orchestration.taskQueue = queue
            let worker = buildWorker(configuration: WorkerConfiguration(service: service, security: api.security, consumerName: "campaign-worker"),
                                     logger: TestEnvironment.logger)
            try await worker.test(.live) { _ in try await ApprovalTests.withWorkers(api, queue: queue) {
                let owner = try await api.signUp()
                let organization = try await api.createOrganization(owner)
                let channel = try await api.connectMastodon(owner, organization: organization)
                let editor = try await api.member("editor", of: organization, invitedBy: owner)
                let first = try await draft(api, editor.token, organization: organization, channel: channel, "Launch day")
                let second = try await draft(api, editor.token, organization: organization, channel: channel, "Day after", in: 4)
                let base = "/api/v1/organizations/\(organization)/campaigns"

                // What a campaign is made of is checked before anything starts.
                let scheduled = try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: owner, json: [
                    "publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": "Already scheduled"]],
                ])
                let scheduledID = try #require((scheduled.json["posts"] as? [[String: Any]])?.first?["id"] as? String)
                let refused = try await api.request(.post, base, token: editor.token, json: [
                    "name": " ", "post_ids": [first, first, UUID().uuidString, scheduledID], "results_after_minutes": -1,
                ])
                #expect(refused.status == .unprocessableContent)
                #expect(Set(refused.errorFields.keys) == ["name", "post_ids[1]", "post_ids[2]", "post_ids[3]", "results_after_minutes"], "\(refused.errorFields)")
                #expect(try await api.request(.post, base, token: editor.token, json: ["name": "Empty", "post_ids": []]).errorFields.keys.contains("post_ids"))
                #expect(try await api.request(.post, base, token: editor.token, json: ["name": "X", "post_ids": [first], "budget": 3]).errorFields == ["budget": "is not a known field"])

                let created = try await api.request(.post, base, token: editor.token, json: [
                    "name": "Launch", "post_ids": [first, second], "results_after_minutes": 0, "remind_every_minutes": 60,
                ])
                #expect(created.status == .created, "\(created.json)")
                #expect(created.json["status"] as? String == "in_review")
                let id = try #require(created.json["campaign_id"] as? String)
                let path = "\(base)/\(id)"
                _ = try await campaign(api, path, token: editor.token) { review($0) == "pending" }

                // Only admins and owners review; strangers see nothing.
                #expect(try await api.request(.post, "\(path)/review", token: editor.token, json: ["verdict": "approve"]).status == .forbidden)
                let stranger = try await api.signUp()
                _ = try await api.createOrganization(stranger)
                #expect(try await api.request(.get, path, token: stranger).status == .notFound)
                #expect(try await api.request(.get, "\(base)/not-a-uuid", token: owner).status == .notFound)

                #expect(try await api.request(.post, "\(path)/review", token: owner, json: ["verdict": "request_changes", "comment": "Add a link"]).status == .accepted)
                _ = try await campaign(api, path, token: editor.token) { review($0) == "changes_requested" }
                #expect(try await api.request(.post, "\(path)/review", token: owner, json: ["verdict": "approve"]).errorCode == "not_waiting_for_review")
                #expect(try await api.request(.post, "\(path)/resubmit", token: editor.token, json: [:]).status == .accepted)
                _ = try await campaign(api, path, token: editor.token) { review($0) == "pending" }
                #expect(try await api.request(.post, "\(path)/review", token: owner, json: ["verdict": "approve"]).status == .accepted)

                // Approved: both groups are scheduled; their results are collected once their posts are due.
                let finished = try await campaign(api, path, token: editor.token) { $0["run_status"] as? String == "completed" }
                #expect(finished["status"] as? String == "finished")
                try await TestTemporal.recordHistory(of: try #require(finished["workflow_id"] as? String), as: "campaign-finished")
                try await TestTemporal.recordHistory(of: try #require((finished["review"] as? [String: Any])?["workflow_id"] as? String),
                                                     as: "campaign-review-approved")
                #expect(review(finished) == "approved")
                #expect((finished["review"] as? [String: Any])?["scheduled_posts"] as? Int == 2)
                let results = (finished["results"] as? [[String: Any]]) ?? []
                let collected = results.compactMap { ($0["posts"] as? [[String: Any]])?.first?["post_id"] as? String }
                // In the order they were published (on a busy machine, both at the approval).
                #expect(Set(collected.map { $0.lowercased() }) == Set([first, second].map { $0.lowercased() }), "\(results)")
                // Each post was published, and its counts were read after it was.
                for result in results {
                    let post = try #require((result["posts"] as? [[String: Any]])?.first)
                    #expect(post["state"] as? String == "published", "\(post)")
                    #expect((post["url"] as? String)?.hasPrefix("http") == true, "\(post)")
                    #expect((post["counts"] as? [String: Int])?.isEmpty == false, "\(post)")
                    #expect(post["counts_at"] is String, "\(post)")
                }

                let notifications = try await api.request(.get, "/api/v1/organizations/\(organization)/notifications", token: owner)
                let messages = ((notifications.json["notifications"] as? [[String: Any]]) ?? []).compactMap { $0["message"] as? String }
                #expect(messages.filter { $0.hasPrefix("Campaign “Launch”") }.count == 4, "\(messages)")
                #expect(messages.contains { $0.contains("results collected for 2 post group(s)") })
                var listed: [String] = []
                for _ in 0..<150 {
                    let runs = try await api.request(.get, "/api/v1/organizations/\(organization)/workflows?type=Campaign", token: editor.token)
                    listed = ((runs.json["workflows"] as? [[String: Any]]) ?? []).compactMap { $0["workflow_id"] as? String }
                    if !listed.isEmpty { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(listed == [created.json["workflow_id"] as? String])
                #expect(try await api.request(.post, "\(path)/cancel", token: editor.token, json: [:]).errorCode == "campaign_closed")

                // A campaign cancelled in review cancels its review; its drafts stay drafts.
                let third = try await draft(api, editor.token, organization: organization, channel: channel, "Never reviewed", in: 3600)
                let other = try await api.request(.post, base, token: editor.token, json: ["name": "Maybe", "post_ids": [third]])
                let otherPath = "\(base)/\(try #require(other.json["campaign_id"] as? String, "\(other.status) \(other.json)"))"
                _ = try await campaign(api, otherPath, token: editor.token) { review($0) == "pending" }
                #expect(try await api.request(.post, "\(otherPath)/cancel", token: editor.token, json: [:]).status == .accepted)
                let cancelled = try await campaign(api, otherPath, token: editor.token) {
                    $0["run_status"] as? String == "canceled" && ($0["review"] as? [String: Any])?["run_status"] as? String == "canceled"
                }
                #expect(cancelled["status"] as? String == "in_review")
                try await TestTemporal.recordHistory(of: try #require(cancelled["workflow_id"] as? String), as: "campaign-cancelled-in-review")
                let after = try await api.posts(owner, organization: organization)
                #expect(after.first { $0["id"] as? String == third }?["state"] as? String == "draft")
            } }
        }
    }
}
