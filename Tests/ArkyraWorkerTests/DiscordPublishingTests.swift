import ArkyraCore
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import Testing

@Suite("Worker: publishing to Discord (the app's bot in a chosen channel)")
struct DiscordPublishingTests {
    @Test("a thread's items reply to the message before; images go as attachments with their alt text; a take-down deletes the message")
    func threadImagesAndTakeDown() async throws {
        try await PublishingWorld.run { world in
            let (channel, discordChannel) = try await world.connectDiscord()
            let storage = LocalFileStorage(configuration: StorageConfiguration(localPath: NSTemporaryDirectory() + "arkyra-dc-\(UUID().uuidString)"),
                                           publicURL: "http://127.0.0.1", signingSecret: [7])
            let media = try await MediaPublishingTests.images(2, world: world, storage: storage, alt: "A chart")
            let thread = try await world.database.inTransaction(logger: TestEnvironment.logger) { connection in
                try await world.posts.createGroup(
                    organizationID: world.organizationID, authorID: world.userID,
                    posts: [.init(integrationID: channel, content: "Release notes 🎉", thread: [.init(content: "And the details", delaySeconds: 0)], mediaIDs: media)],
                    state: .scheduled, publishAt: Date(), timeZone: "UTC", on: connection
                )
            }
            let handler = MediaPublishingTests.handler(world, storage: storage)
            for item in thread {
                try await handler.handle(PublishJob(postID: item.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            }
            let published = try await thread.asyncMap { try await world.reload($0) }
            #expect(published.map(\.state) == [.published, .published], "\(published.map(\.error))")
            let messages = try await world.discordMessages()
            #expect(messages.map { $0["content"] as? String } == ["Release notes 🎉", "And the details"])
            #expect(messages.allSatisfy { $0["channel_id"] as? String == discordChannel })
            #expect(messages[1]["reply_to"] as? String == messages[0]["id"] as? String)
            let attachments = try #require(messages[0]["attachments"] as? [[String: Any]])
            #expect(attachments.map { $0["description"] as? String } == ["A chart", "A chart"])
            #expect(published[0].platformURL?.hasSuffix("/\(discordChannel)/\(messages[0]["id"] as? String ?? "")") == true)

            try await world.unpublisher.handle(try await world.askRemoval(published[1]), context: .first)
            #expect(try await world.reload(published[1]).platformRemoval?.state == .removed)
            #expect(try await world.discordMessages().count == 1)
        }
    }

    @Test("Discord's refusals: a 429 waits retry_after; a channel closed to the bot marks it for reconnection; too long a text fails in Discord's words")
    func refusals() async throws {
        try await PublishingWorld.run { world in
            let (channel, _) = try await world.connectDiscord()
            try await world.fault("rate_limit", platform: "discord", extra: ["reset_in": 30])
            let (limited, limitedJob) = try await world.schedulePost("Wait for it", on: channel)
            try await world.handler.handle(limitedJob.job(requestID: nil), context: .first)
            #expect(try await world.reload(limited).state == .scheduled)
            let retryAt = try #require(try await world.queue.dueTime(ofJob: limited.id.uuidString))
            #expect(retryAt.timeIntervalSinceNow > 20)

            let (other, otherDiscord) = try await world.connectDiscord(channelName: "#announcements")
            let tooLong = try await world.database.inTransaction(logger: TestEnvironment.logger) { connection in
                try await world.posts.createGroup(organizationID: world.organizationID, authorID: world.userID,
                                                  posts: [.init(integrationID: other, content: String(repeating: "x", count: 2001))],
                                                  state: .scheduled, publishAt: Date(), timeZone: "UTC", on: connection)[0]
            }
            try await world.handler.handle(PublishJob(postID: tooLong.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            let refused = try await world.reload(tooLong)
            #expect(refused.state == .failed)
            #expect(refused.error?.contains("content: Must be 2000 or fewer in length.") == true, "\(refused.error ?? "")")

            try await world.sandbox.execute(uri: "/_sandbox/discord/channels/\(otherDiscord)/bot-access", method: .post, body: jsonBody(["allowed": false])) {
                #expect($0.status == .noContent)
            }
            let (closed, closedJob) = try await world.schedulePost("Nobody hears", on: other)
            try await world.handler.handle(closedJob.job(requestID: nil), context: .first)
            let failed = try await world.reload(closed)
            #expect(failed.state == .failed)
            #expect(failed.error?.contains("Missing Access") == true, "\(failed.error ?? "")")
            #expect(try await world.channel(other).state == "refresh_needed")
        }
    }
}
