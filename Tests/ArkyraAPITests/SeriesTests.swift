import ArkyraCore
import ArkyraTemporal
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Testing

@Suite("API: recurring series on Temporal", .serialized)
struct SeriesTests {
    @Test("a series copies its template group at the first time, says when the next one comes in the author's zone, pauses, resumes and stops")
    func series() async throws {
        let queue = TestTemporal.taskQueue("series")
        try await APITestHarness.run(configure: { $0.service.orchestration.taskQueue = queue }) { api in
            try await ApprovalTests.withWorkers(api, queue: queue) {
                let owner = try await api.signUp()
                let organization = try await api.createOrganization(owner)
                let channel = try await api.connectMastodon(owner, organization: organization)
                let viewer = try await api.member("viewer", of: organization, invitedBy: owner)
                let base = "/api/v1/organizations/\(organization)/posts"
                let template = try await api.request(.post, base, token: owner, json: [
                    "publish_at": APITestHarness.future(), "draft": true,
                    "variants": [["integration_id": channel, "content": "Weekly tip", "thread": [["content": "More below", "delay_seconds": 30]]]],
                ])
                let post = try #require((template.json["posts"] as? [[String: Any]])?.first?["id"] as? String)
                let path = "\(base)/\(post)/series"

                // Bad input is refused before anything starts.
                let bad = try await api.request(.post, path, token: owner, json: [
                    "recurrence": ["unit": "fortnight", "every": 1], "first_at": "yesterday", "time_zone": "Mars/Olympus",
                ])
                #expect(Set(bad.errorFields.keys).isSuperset(of: ["recurrence.unit", "first_at", "time_zone"]), "\(bad.errorFields)")
                #expect(try await api.request(.post, path, token: viewer.token, json: [
                    "recurrence": ["unit": "week", "every": 1], "first_at": APITestHarness.future(),
                ]).status == .forbidden)

                let firstAt = ISO8601Timestamp.format(Date().addingTimeInterval(3))
                let started = try await api.request(.post, path, token: owner, json: [
                    "recurrence": ["unit": "day", "every": 1], "first_at": firstAt, "time_zone": "Europe/Berlin",
                ])
                #expect(started.status == .created, "\(started.json)")
                #expect(try await api.request(.post, path, token: owner, json: [
                    "recurrence": ["unit": "day", "every": 1], "first_at": APITestHarness.future(),
                ]).errorCode == "series_running")

                // The first occurrence is within the lead time: made at once, a copy of the template with its thread.
                var state: [String: Any] = [:]
                for _ in 0..<300 {
                    state = try await api.request(.get, path, token: viewer.token).json
                    if state["made"] as? Int == 1 { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(state["made"] as? Int == 1, "\(state)")
                #expect(state["status"] as? String == "running")
                let groupID = try #require(state["last_group_id"] as? String)
                let posts = try await api.posts(owner, organization: organization)
                let copy = try #require(posts.first { ($0["group_id"] as? String)?.lowercased() == groupID.lowercased() }, "\(posts)")
                #expect(copy["state"] as? String == "scheduled")
                #expect(copy["content"] as? String == "Weekly tip")
                // Its thread item came along, waiting for the first post (the calendar lists first posts only).
                let items = try await TestEnvironment.withClient(api.database) { database in
                    var items: [String] = []
                    for try await (content, state) in try await database.query(
                        "SELECT content, state FROM posts WHERE group_id = \(UUID(uuidString: groupID)!) AND parent_id IS NOT NULL"
                    ).decode((String, String).self) { items.append("\(content) \(state)") }
                    return items
                }
                #expect(items == ["More below waiting"])
                // The next one is a day later at the same wall-clock time in Berlin.
                let next = try #require((state["next_at"] as? String).flatMap(ISO8601Timestamp.parse))
                let first = try #require(ISO8601Timestamp.parse(firstAt))
                var berlin = Calendar(identifier: .gregorian)
                berlin.timeZone = TimeZone(identifier: "Europe/Berlin")!
                #expect(berlin.dateComponents([.hour, .minute, .second], from: next) == berlin.dateComponents([.hour, .minute, .second], from: first))
                #expect(berlin.dateComponents([.day], from: berlin.startOfDay(for: first), to: berlin.startOfDay(for: next)).day == 1)

                #expect(try await api.request(.post, "\(path)/pause", token: owner, json: [:]).status == .accepted)
                state = try await waitFor(api, path, owner) { $0["status"] as? String == "paused" }
                #expect(state["next_at"] == nil || state["next_at"] is NSNull)
                #expect(try await api.request(.post, "\(path)/resume", token: owner, json: [:]).status == .accepted)
                _ = try await waitFor(api, path, owner) { $0["status"] as? String == "running" && $0["next_at"] is String }
                #expect(try await api.request(.post, "\(path)/stop", token: owner, json: [:]).status == .accepted)
                state = try await waitFor(api, path, owner) { $0["run_status"] as? String == "completed" }
                #expect(state["status"] as? String == "stopped")
                #expect(state["made"] as? Int == 1)
                try await TestTemporal.recordHistory(of: try #require(state["workflow_id"] as? String), as: "series-paused-resumed-stopped")
                #expect(try await api.request(.post, "\(path)/resume", token: owner, json: [:]).errorCode == "series_ended")
            }
        }
    }

    private func waitFor(_ api: APITestHarness, _ path: String, _ token: String, _ done: ([String: Any]) -> Bool) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        for _ in 0..<300 {
            last = try await api.request(.get, path, token: token).json
            if done(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the series never got there; last: \(last)")
        return last
    }
}
