import ArkyraCore
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import Testing

extension PublishingWorld {
    var unpublisher: UnpublishJobHandler {
        UnpublishJobHandler(
            database: database, providers: ProviderRegistry.all(http: platformHTTP, platforms: platforms),
            cipher: TokenCipher(keys: security.encryptionKeys), queue: queue, metrics: WorkerMetrics(registry: .init()), logger: TestEnvironment.logger
        )
    }

    /// Publishes `post` through the worker and asks for it to be taken down, as the API does; returns the job.
    func publishThenAskRemoval(_ post: Post, _ job: PublishJob) async throws -> Job {
        try await handler.handle(job.job(requestID: nil), context: .first)
        #expect(try await reload(post).state == .published)
        return try await askRemoval(post)
    }

    func askRemoval(_ post: Post) async throws -> Job {
        let asked = try await database.inTransaction(logger: TestEnvironment.logger) { connection in
            try await posts.requestRemoval(id: post.id, organizationID: organizationID, by: userID, on: connection)
        }
        #expect(asked?.platformRemoval?.state == .requested)
        return UnpublishJob(postID: post.id, organizationID: organizationID).job(requestID: nil)
    }
}

@Suite("Worker: taking published posts down from their platforms")
struct UnpublishingTests {
    @Test("Mastodon: the status is deleted and the post records it; asking again for a status already gone still ends removed")
    func mastodon() async throws {
        try await PublishingWorld.run { fixture in
            let (post, job) = try await fixture.schedulePost("Soon gone")
            let removal = try await fixture.publishThenAskRemoval(post, job)
            #expect(try await fixture.statuses().count == 1)
            try await fixture.unpublisher.handle(removal, context: .first)
            #expect(try await fixture.statuses().isEmpty)
            let removed = try await fixture.reload(post)
            #expect(removed.platformRemoval?.state == .removed)
            #expect(removed.platformRemoval?.removedAt != nil)
            #expect(removed.state == .published, "the post keeps its history")
            // A repeated job changes nothing; nor does asking for a post already removed.
            try await fixture.unpublisher.handle(removal, context: .first)
            let asked = try await fixture.database.inTransaction(logger: TestEnvironment.logger) { connection in
                try await fixture.posts.requestRemoval(id: post.id, organizationID: fixture.organizationID, by: fixture.userID, on: connection)
            }
            #expect(asked == nil)
        }
    }

    @Test("Bluesky: the record is deleted on the PDS")
    func bluesky() async throws {
        try await PublishingWorld.run { fixture in
            let channel = try await fixture.connectBluesky()
            let (post, job) = try await fixture.schedulePost("A skeet to take back", on: channel)
            let removal = try await fixture.publishThenAskRemoval(post, job)
            #expect(try await fixture.blueskyRecords().count == 1)
            try await fixture.unpublisher.handle(removal, context: .first)
            #expect(try await fixture.blueskyRecords().isEmpty)
            #expect(try await fixture.reload(post).platformRemoval?.state == .removed)
            #expect(try await fixture.blueskyCalls().last == "com.atproto.repo.deleteRecord")
        }
    }

    @Test("X: the post is deleted; an expired token is refreshed once on the way")
    func x() async throws {
        try await PublishingWorld.run { fixture in
            let channel = try await fixture.connectX()
            let (post, job) = try await fixture.schedulePost("An X post to take back", on: channel)
            let removal = try await fixture.publishThenAskRemoval(post, job)
            let account = try #require(try await fixture.xPosts().first?["author_id"] as? String)
            try await fixture.sandbox.execute(uri: "/_sandbox/x/accounts/\(account)/expire-tokens", method: .post) { #expect($0.status == .noContent) }
            try await fixture.unpublisher.handle(removal, context: .first)
            #expect(try await fixture.xPosts().isEmpty)
            #expect(try await fixture.reload(post).platformRemoval?.state == .removed)
        }
    }

    @Test("LinkedIn: a thread's comment and its post are deleted, each on its own request")
    func linkedIn() async throws {
        try await PublishingWorld.run { fixture in
            let channel = try await fixture.connectLinkedIn()
            let thread = try await fixture.database.inTransaction(logger: TestEnvironment.logger) { connection in
                try await fixture.posts.createGroup(
                    organizationID: fixture.organizationID, authorID: fixture.userID,
                    posts: [.init(integrationID: channel, content: "First of two", thread: [.init(content: "The comment", delaySeconds: 0)])],
                    state: .scheduled, publishAt: Date(), timeZone: "UTC", on: connection
                )
            }
            for item in thread {
                try await fixture.handler.handle(PublishJob(postID: item.id, organizationID: fixture.organizationID).job(requestID: nil), context: .first)
            }
            try await fixture.unpublisher.handle(try await fixture.askRemoval(thread[1]), context: .first)
            #expect(try await fixture.reload(thread[1]).platformRemoval?.state == .removed)
            let remaining = try await fixture.linkedInPosts()
            #expect(remaining.count == 1)
            #expect((remaining.first?["comments"] as? [[String: Any]])?.isEmpty == true)
            try await fixture.unpublisher.handle(try await fixture.askRemoval(thread[0]), context: .first)
            #expect(try await fixture.linkedInPosts().isEmpty)
            #expect(try await fixture.reload(thread[0]).platformRemoval?.state == .removed)
        }
    }

    @Test("a rate limit waits for the platform's reset; a refused token fails the take-down in words, and it can be asked again")
    func refusals() async throws {
        try await PublishingWorld.run { fixture in
            let (post, job) = try await fixture.schedulePost("Stubborn")
            let removal = try await fixture.publishThenAskRemoval(post, job)
            try await fixture.fault("rate_limit", extra: ["reset_in": 120])
            try await fixture.unpublisher.handle(removal, context: .first)
            #expect(try await fixture.reload(post).platformRemoval?.state == .requested)
            let retryAt = try #require(try await fixture.queue.dueTime(ofJob: removal.id))
            #expect(retryAt.timeIntervalSinceNow > 100)

            try await fixture.fault("invalid_token")
            var retry = removal
            retry.attempt = 1
            try await fixture.unpublisher.handle(retry, context: .first)
            let failed = try await fixture.reload(post)
            #expect(failed.platformRemoval?.state == .failed)
            #expect(failed.platformRemoval?.error?.contains("reconnect the channel") == true, "\(String(describing: failed.platformRemoval))")
            #expect(try await fixture.statuses().count == 1)

            try await fixture.unpublisher.handle(try await fixture.askRemoval(post), context: .first)
            #expect(try await fixture.reload(post).platformRemoval?.state == .removed)
            #expect(try await fixture.statuses().isEmpty)
        }
    }
}
