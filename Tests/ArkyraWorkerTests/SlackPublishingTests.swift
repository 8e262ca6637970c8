import ArkyraCore
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import Testing

@Suite("Worker: publishing to Slack (the app's bot in a chosen channel)")
struct SlackPublishingTests {
    @Test("a thread's items go into the first item's thread; Slack's special characters show as written; the post links to its permalink; a take-down deletes it")
    func threadAndTakeDown() async throws {
        try await PublishingWorld.run { world in
            let (channel, slackChannel, _) = try await world.connectSlack()
            let thread = try await world.database.inTransaction(logger: TestEnvironment.logger) { connection in
                try await world.posts.createGroup(
                    organizationID: world.organizationID, authorID: world.userID,
                    posts: [.init(integrationID: channel, content: "Q4 <draft> & notes", thread: [.init(content: "Two", delaySeconds: 0), .init(content: "Three", delaySeconds: 0)])],
                    state: .scheduled, publishAt: Date(), timeZone: "UTC", on: connection
                )
            }
            for item in thread {
                try await world.handler.handle(PublishJob(postID: item.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            }
            let published = try await thread.asyncMap { try await world.reload($0) }
            #expect(published.map(\.state) == [.published, .published, .published], "\(published.map(\.error))")
            let messages = try await world.slackMessages()
            #expect(messages.map { $0["text"] as? String } == ["Q4 &lt;draft&gt; &amp; notes", "Two", "Three"])
            let root = try #require(messages[0]["ts"] as? String)
            #expect(messages.dropFirst().allSatisfy { $0["thread_ts"] as? String == root && $0["channel"] as? String == slackChannel })
            #expect(published[0].platformURL?.contains("/archives/\(slackChannel)/p") == true)
            #expect(published[2].platformPostID == "\(root)/\(messages[2]["ts"] as? String ?? "")")

            try await world.unpublisher.handle(try await world.askRemoval(published[2]), context: .first)
            #expect(try await world.reload(published[2]).platformRemoval?.state == .removed)
            #expect(try await world.slackMessages().count == 2)
        }
    }

    @Test("Slack's refusals: a 429 waits Retry-After; an archived channel and an uninstalled app mark the channel for reconnection")
    func refusals() async throws {
        try await PublishingWorld.run { world in
            let (channel, _, _) = try await world.connectSlack()
            try await world.fault("rate_limit", platform: "slack", extra: ["reset_in": 30])
            let (limited, limitedJob) = try await world.schedulePost("Wait for it", on: channel)
            try await world.handler.handle(limitedJob.job(requestID: nil), context: .first)
            #expect(try await world.reload(limited).state == .scheduled)
            #expect(try #require(try await world.queue.dueTime(ofJob: limited.id.uuidString)).timeIntervalSinceNow > 20)

            let (archived, archivedSlack, workspace) = try await world.connectSlack(channelName: "#random")
            try await world.sandbox.execute(uri: "/_sandbox/slack/channels/\(archivedSlack)/archive", method: .post) { #expect($0.status == .noContent) }
            let (post, job) = try await world.schedulePost("Into the archive", on: archived)
            try await world.handler.handle(job.job(requestID: nil), context: .first)
            let failed = try await world.reload(post)
            #expect(failed.state == .failed)
            #expect(failed.error?.contains("is_archived") == true, "\(failed.error ?? "")")
            #expect(try await world.channel(archived).state == "refresh_needed")

            let (team, _, _) = try await world.connectSlack(channelName: "🔒launch-team")
            try await world.sandbox.execute(uri: "/_sandbox/slack/workspaces/\(workspace)/uninstall", method: .post) { #expect($0.status == .noContent) }
            let (orphan, orphanJob) = try await world.schedulePost("After the uninstall", on: team)
            try await world.handler.handle(orphanJob.job(requestID: nil), context: .first)
            let refused = try await world.reload(orphan)
            #expect(refused.state == .failed)
            #expect(refused.error?.contains("invalid_auth") == true, "\(refused.error ?? "")")
            #expect(try await world.channel(team).state == "refresh_needed")
        }
    }
}
