import ArkyraCore
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import Testing

@Suite("Worker: publishing to Telegram (the installation's bot in a channel)")
struct TelegramPublishingTests {
    @Test("a thread's items reply to the message before; the post links to t.me; a take-down deletes the messages")
    func threadAndTakeDown() async throws {
        try await PublishingWorld.run { world in
            let (channel, _) = try await world.connectTelegram()
            let thread = try await world.database.inTransaction(logger: TestEnvironment.logger) { connection in
                try await world.posts.createGroup(
                    organizationID: world.organizationID, authorID: world.userID,
                    posts: [.init(integrationID: channel, content: "Launch 🚀 today", thread: [.init(content: "Details follow", delaySeconds: 0)])],
                    state: .scheduled, publishAt: Date(), timeZone: "UTC", on: connection
                )
            }
            for item in thread {
                try await world.handler.handle(PublishJob(postID: item.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            }
            let published = try await thread.asyncMap { try await world.reload($0) }
            #expect(published.map(\.state) == [.published, .published], "\(published.map(\.error))")
            let messages = try await world.telegramMessages()
            #expect(messages.map { $0["text"] as? String } == ["Launch 🚀 today", "Details follow"])
            #expect(messages[1]["reply_to"] as? Int == messages[0]["message_id"] as? Int)
            #expect(published[0].platformURL == "https://t.me/arkyra_news/\(messages[0]["message_id"] as? Int ?? 0)")

            try await world.unpublisher.handle(try await world.askRemoval(published[0]), context: .first)
            #expect(try await world.reload(published[0]).platformRemoval?.state == .removed)
            #expect(try await world.telegramMessages().count == 1)
        }
    }

    @Test("one image goes as a photo with its caption; two images and a text too long for a caption go as an album, then the text")
    func photos() async throws {
        try await PublishingWorld.run { world in
            let storage = LocalFileStorage(configuration: StorageConfiguration(localPath: NSTemporaryDirectory() + "arkyra-tg-\(UUID().uuidString)"),
                                           publicURL: "http://127.0.0.1", signingSecret: [7])
            let (channel, _) = try await world.connectTelegram()
            let media = try await MediaPublishingTests.images(2, world: world, storage: storage)
            let long = String(repeating: "A long caption. ", count: 80)
            let posts = try await world.database.inTransaction(logger: TestEnvironment.logger) { connection in
                [
                    try await world.posts.createGroup(organizationID: world.organizationID, authorID: world.userID,
                                                      posts: [.init(integrationID: channel, content: "One chart", mediaIDs: [media[0]])],
                                                      state: .scheduled, publishAt: Date(), timeZone: "UTC", on: connection)[0],
                    try await world.posts.createGroup(organizationID: world.organizationID, authorID: world.userID,
                                                      posts: [.init(integrationID: channel, content: long, mediaIDs: media)],
                                                      state: .scheduled, publishAt: Date(), timeZone: "UTC", on: connection)[0],
                ]
            }
            let handler = MediaPublishingTests.handler(world, storage: storage)
            for post in posts {
                try await handler.handle(PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            }
            let published = try await posts.asyncMap { try await world.reload($0) }
            #expect(published.map(\.state) == [.published, .published], "\(published.map(\.error))")
            let messages = try await world.telegramMessages()
            #expect(messages.count == 4)
            #expect(messages[0]["photo"] as? Bool == true && messages[0]["caption"] as? String == "One chart")
            #expect(messages[1]["media_group_id"] as? String != nil && messages[1]["media_group_id"] as? String == messages[2]["media_group_id"] as? String)
            #expect(messages[1]["caption"] is NSNull)
            #expect(messages[3]["text"] as? String == long && messages[3]["reply_to"] as? Int == messages[1]["message_id"] as? Int)
            let ids = try #require(published[1].platformPostID).split(separator: ",").compactMap { Int($0) }
            #expect(ids == messages[1...3].compactMap { $0["message_id"] as? Int }, "the post names all its messages")
        }
    }

    @Test("Telegram's refusals: a 429 waits retry_after; a bot removed from the channel marks it for reconnection")
    func refusals() async throws {
        try await PublishingWorld.run { world in
            let (channel, _) = try await world.connectTelegram()
            try await world.fault("rate_limit", platform: "telegram", extra: ["reset_in": 90])
            let (limited, limitedJob) = try await world.schedulePost("Wait for it", on: channel)
            try await world.handler.handle(limitedJob.job(requestID: nil), context: .first)
            #expect(try await world.reload(limited).state == .scheduled)
            let retryAt = try #require(try await world.queue.dueTime(ofJob: limited.id.uuidString))
            #expect(retryAt.timeIntervalSinceNow > 80)

            // Another channel: the first one now waits for its reset.
            let (other, chat) = try await world.connectTelegram(title: "Second", username: nil)
            try await world.sandbox.execute(uri: "/_sandbox/telegram/chats/\(chat)/bot-status", method: .post, body: jsonBody(["status": "kicked"])) {
                #expect($0.status == .noContent)
            }
            let (kicked, kickedJob) = try await world.schedulePost("Nobody hears", on: other)
            try await world.handler.handle(kickedJob.job(requestID: nil), context: .first)
            let failed = try await world.reload(kicked)
            #expect(failed.state == .failed)
            #expect(failed.error?.contains("bot is not a member of the channel chat") == true, "\(failed.error ?? "")")
            #expect(try await world.channel(other).state == "refresh_needed")
        }
    }

    @Test("length counts UTF-16 code units, as Telegram does")
    func counting() {
        let provider = TelegramProvider(http: PlatformHTTP(client: .shared, timeout: .seconds(1), policy: OutboundURLPolicy(allowPrivateHosts: false)), bot: nil)
        #expect(provider.characterCount(of: "hello") == 5)
        #expect(provider.characterCount(of: "🚀") == 2)
        #expect(provider.characterCount(of: "日本") == 2)
        #expect(provider.characterCount(of: "👍🏽") == 4)
    }
}
