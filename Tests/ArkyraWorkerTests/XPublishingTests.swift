import ArkyraCore
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import Testing

@Suite("Worker: publishing to X (OAuth 2.0 tokens, no idempotency keys)")
struct XPublishingTests {
    @Test("a post is published once with its id and link; an expired token is refreshed and the rotated refresh token stored")
    func publishesAndRefreshes() async throws {
        try await PublishingWorld.run { fixture in
            let channel = try await fixture.connectX()
            let (first, firstJob) = try await fixture.schedulePost("Hello from ARKYRA", on: channel)
            try await fixture.handler.handle(firstJob.job(requestID: nil), context: .first)
            let published = try await fixture.reload(first)
            #expect(published.state == .published)
            let posts = try await fixture.xPosts()
            #expect(posts.map { $0["text"] as? String } == ["Hello from ARKYRA"])
            #expect(published.platformPostID == posts.first?["id"] as? String)
            #expect(published.platformURL == "https://x.com/i/web/status/\(published.platformPostID ?? "")")

            let before = try await fixture.channel(channel)
            let account = try #require(posts.first?["author_id"] as? String)
            try await fixture.sandbox.execute(uri: "/_sandbox/x/accounts/\(account)/expire-tokens", method: .post) { #expect($0.status == .noContent) }
            let (second, secondJob) = try await fixture.schedulePost("After the refresh", on: channel)
            try await fixture.handler.handle(secondJob.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(second).state == .published)
            let after = try await fixture.channel(channel)
            #expect(after.credentials.encryptedRefreshToken != before.credentials.encryptedRefreshToken)
            #expect(try await fixture.xPosts().count == 2)
        }
    }

    @Test("images are uploaded with their alt text and attached to the post")
    func images() async throws {
        try await PublishingWorld.run { world in
            let storage = LocalFileStorage(configuration: StorageConfiguration(localPath: NSTemporaryDirectory() + "arkyra-x-\(UUID().uuidString)"),
                                           publicURL: "http://127.0.0.1", signingSecret: [7])
            let channel = try await world.connectX()
            let images = try await MediaPublishingTests.images(2, world: world, storage: storage, alt: "A chart")
            let post = try await FacebookPublishingTests.post(world, channel: channel, "Two charts", media: images)[0]
            try await MediaPublishingTests.handler(world, storage: storage).handle(PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            let published = try await world.reload(post)
            #expect(published.state == .published, "\(published.error ?? "")")
            let media = try #require(try await world.xPosts().first?["media"] as? [[String: Any]])
            #expect(media.map { $0["content_type"] as? String } == ["image/png", "image/png"])
            #expect(media.allSatisfy { $0["alt_text"] as? String == "A chart" })
        }
    }

    @Test("after a timeout once X had accepted, the post is found among the account's posts, never posted twice")
    func unknownOutcomeIsLookedUp() async throws {
        try await PublishingWorld.run { fixture in
            let channel = try await fixture.connectX()
            try await fixture.fault("timeout_after_accept", platform: "x", extra: ["delay": 6])
            let (post, job) = try await fixture.schedulePost("Did it go out? https://example.com/a/long/link", on: channel)
            try await fixture.handler.handle(job.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(post).state == .publishing)
            try await fixture.handler.handle(
                PublishJob(postID: post.id, organizationID: fixture.organizationID, attempt: 1).job(requestID: nil),
                context: JobContext(consumer: "worker-b", deliveries: 1, staleOwner: JobContext.first.consumer)
            )
            let published = try await fixture.reload(post)
            #expect(published.state == .published)
            let posts = try await fixture.xPosts()
            #expect(posts.count == 1)
            #expect(published.platformPostID == posts.first?["id"] as? String)
        }
    }

    @Test("X's refusals end the post in words: duplicate text fails it, a 429 waits for x-rate-limit-reset")
    func refusals() async throws {
        try await PublishingWorld.run { fixture in
            let channel = try await fixture.connectX()
            let (first, firstJob) = try await fixture.schedulePost("Same words", on: channel)
            try await fixture.handler.handle(firstJob.job(requestID: nil), context: .first)
            let (again, againJob) = try await fixture.schedulePost("Same words", on: channel)
            try await fixture.handler.handle(againJob.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(first).state == .published)
            let refused = try await fixture.reload(again)
            #expect(refused.state == .failed)
            #expect(refused.error?.contains("duplicate content") == true)

            try await fixture.fault("rate_limit", platform: "x", extra: ["reset_in": 120])
            let (limited, limitedJob) = try await fixture.schedulePost("Wait for it", on: channel)
            try await fixture.handler.handle(limitedJob.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(limited).state == .scheduled)
            let retryAt = try #require(try await fixture.queue.dueTime(ofJob: limited.id.uuidString))
            #expect(retryAt.timeIntervalSinceNow > 100)
        }
    }
}
