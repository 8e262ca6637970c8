import ArkyraCore
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import Testing

extension PublishingWorld {
    var metricsReader: MetricsJobHandler {
        MetricsJobHandler(
            database: database, providers: ProviderRegistry.all(http: platformHTTP, platforms: platforms),
            cipher: TokenCipher(keys: security.encryptionKeys), queue: queue, metrics: WorkerMetrics(registry: .init()), logger: TestEnvironment.logger
        )
    }

    func storedMetrics(of post: Post) async throws -> PostMetricsRepository.Stored? {
        try await PostMetricsRepository(logger: TestEnvironment.logger).find(postID: post.id, organizationID: organizationID, client: database)
    }
}

@Suite("Worker: reading published posts' counts from their platforms")
struct MetricsTests {
    @Test("Mastodon: favourites, boosts and replies are read and kept; read again, the newer counts replace them")
    func mastodon() async throws {
        try await PublishingWorld.run { world in
            let (post, job) = try await world.schedulePost("Count me")
            try await world.handler.handle(job.job(requestID: nil), context: .first)
            let status = try #require(try await world.reload(post).platformPostID)
            try await world.sandbox.execute(uri: "/_sandbox/mastodon/statuses/\(status)/engagement", method: .post, body: jsonBody(["favourites": 7, "reblogs": 2])) {
                #expect($0.status == .noContent)
            }
            let read = MetricsJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil)
            try await world.metricsReader.handle(read, context: .first)
            let first = try #require(try await world.storedMetrics(of: post))
            #expect(first.metrics.counts == ["likes": 7, "reposts": 2, "replies": 0])
            #expect(first.fetchedAt != nil)
            try await world.sandbox.execute(uri: "/_sandbox/mastodon/statuses/\(status)/engagement", method: .post, body: jsonBody(["favourites": 9, "reblogs": 3])) {
                #expect($0.status == .noContent)
            }
            try await world.metricsReader.handle(read, context: .first)
            #expect(try await world.storedMetrics(of: post)?.metrics.counts == ["likes": 9, "reposts": 3, "replies": 0])
        }
    }

    @Test("Threads: the post's insights (replies counted from its replies); a post gone from the platform keeps its last counts and says why")
    func threads() async throws {
        try await PublishingWorld.run { world in
            let channel = try await world.connectThreads()
            let thread = try await FacebookPublishingTests.post(world, channel: channel, "Reach?", thread: ["A reply"])
            for item in thread {
                try await world.handler.handle(PublishJob(postID: item.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            }
            let first = try await world.reload(thread[0])
            let id = try #require(first.platformPostID)
            try await world.sandbox.execute(uri: "/_sandbox/threads/posts/\(id)/insights", method: .post,
                                            body: jsonBody(["views": 120, "likes": 11, "reposts": 1, "quotes": 0, "shares": 4])) { #expect($0.status == .noContent) }
            let read = MetricsJob(postID: first.id, organizationID: world.organizationID).job(requestID: nil)
            try await world.metricsReader.handle(read, context: .first)
            #expect(try await world.storedMetrics(of: first)?.metrics.counts == ["views": 120, "likes": 11, "replies": 1, "reposts": 1, "quotes": 0, "shares": 4])

            let provider = ThreadsProvider(http: world.platformHTTP, app: world.platforms.threads)
            try await provider.delete(DeleteRequest(credentials: try await world.openedCredentials(of: channel), platformID: id, accountID: nil))
            try await world.metricsReader.handle(read, context: .first)
            let kept = try #require(try await world.storedMetrics(of: first))
            #expect(kept.metrics.counts["views"] == 120)
            #expect(kept.error?.contains("does not exist") == true)
        }
    }

    @Test("X: public metrics (impressions as views, likes, replies counted from the replies, reposts, quotes)")
    func x() async throws {
        try await PublishingWorld.run { world in
            let channel = try await world.connectX()
            let thread = try await FacebookPublishingTests.post(world, channel: channel, "How far did this go?", thread: ["A reply"])
            for item in thread {
                try await world.handler.handle(PublishJob(postID: item.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            }
            let first = try await world.reload(thread[0])
            let id = try #require(first.platformPostID)
            try await world.sandbox.execute(uri: "/_sandbox/x/posts/\(id)/metrics", method: .post,
                                            body: jsonBody(["impressions": 900, "likes": 12, "retweets": 3, "quotes": 1])) { #expect($0.status == .noContent) }
            try await world.metricsReader.handle(MetricsJob(postID: first.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            #expect(try await world.storedMetrics(of: first)?.metrics.counts == ["views": 900, "likes": 12, "replies": 1, "reposts": 3, "quotes": 1])
        }
    }

    @Test("Bluesky: likes, reposts, quotes and the replies there are, from the AppView's view of the post")
    func bluesky() async throws {
        try await PublishingWorld.run { world in
            let channel = try await world.connectBluesky()
            let thread = try await FacebookPublishingTests.post(world, channel: channel, "Skyward", thread: ["A reply"])
            for item in thread {
                try await world.handler.handle(PublishJob(postID: item.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            }
            let first = try await world.reload(thread[0])
            let uri = try #require(first.platformPostID)
            try await world.sandbox.execute(uri: "/_sandbox/bluesky/engagement", method: .post, body: jsonBody(["uri": uri, "likes": 5, "reposts": 2, "quotes": 1])) {
                #expect($0.status == .noContent)
            }
            try await world.metricsReader.handle(MetricsJob(postID: first.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            #expect(try await world.storedMetrics(of: first)?.metrics.counts == ["likes": 5, "reposts": 2, "replies": 1, "quotes": 1])
        }
    }

    @Test("Instagram: the media's insights (views, reach, likes, comments counted from its comments, shares, saves)")
    func instagram() async throws {
        try await PublishingWorld.run { world in
            let storage = S3Storage(configuration: TestS3.configuration(), client: .shared)
            let channel = try await world.connectInstagram()
            try await world.sandbox.execute(uri: "/_sandbox/instagram/processing", method: .post, body: jsonBody(["seconds": 0])) { #expect($0.status == .noContent) }
            let photo = try await InstagramPublishingTests.images(1, format: .jpeg, world: world, storage: storage)
            let thread = try await FacebookPublishingTests.post(world, channel: channel, "Counted", media: photo, thread: ["A comment"])
            for item in thread { try await ThreadsPublishingTests.publishToTheEnd(item, with: ThreadsPublishingTests.handler(world, storage: storage), in: world) }
            let first = try await world.reload(thread[0])
            let id = try #require(first.platformPostID)
            try await world.sandbox.execute(uri: "/_sandbox/instagram/posts/\(id)/insights", method: .post,
                                            body: jsonBody(["views": 300, "reach": 210, "likes": 25, "shares": 2, "saved": 6])) { #expect($0.status == .noContent) }
            try await world.metricsReader.handle(MetricsJob(postID: first.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            #expect(try await world.storedMetrics(of: first)?.metrics.counts == ["views": 300, "reach": 210, "likes": 25, "replies": 1, "shares": 2, "saves": 6])
            let comment = try await world.reload(thread[1])
            try await world.metricsReader.handle(MetricsJob(postID: comment.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            #expect(try await world.storedMetrics(of: comment)?.error == "Instagram gives no counts of comments")
        }
    }

    @Test("Facebook: a Page post's reactions, comments and shares")
    func facebook() async throws {
        try await PublishingWorld.run { world in
            let channel = try await world.connectFacebook()
            let thread = try await FacebookPublishingTests.post(world, channel: channel, "Page post", thread: ["A comment"])
            for item in thread {
                try await world.handler.handle(PublishJob(postID: item.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            }
            let first = try await world.reload(thread[0])
            let id = try #require(first.platformPostID)
            let read = MetricsJob(postID: first.id, organizationID: world.organizationID).job(requestID: nil)
            try await world.metricsReader.handle(read, context: .first)
            #expect(try await world.storedMetrics(of: first)?.metrics.counts == ["likes": 0, "replies": 1, "shares": 0], "Facebook leaves out shares while there are none")
            try await world.sandbox.execute(uri: "/_sandbox/facebook/posts/\(id)/engagement", method: .post, body: jsonBody(["reactions": 14, "shares": 3])) {
                #expect($0.status == .noContent)
            }
            try await world.metricsReader.handle(read, context: .first)
            #expect(try await world.storedMetrics(of: first)?.metrics.counts == ["likes": 14, "replies": 1, "shares": 3])
        }
    }

    @Test("LinkedIn: a Page's post's reactions and comments through socialActions (a member's need a partner permission, so ARKYRA does not read them)")
    func linkedIn() async throws {
        try await PublishingWorld.run { world in
            let channel = try await world.connectLinkedInPage()
            let thread = try await FacebookPublishingTests.post(world, channel: channel, "Company news", thread: ["More below"])
            for item in thread {
                try await world.handler.handle(PublishJob(postID: item.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            }
            let first = try await world.reload(thread[0])
            try await world.sandbox.execute(uri: "/_sandbox/linkedin/likes", method: .post, body: jsonBody(["urn": try #require(first.platformPostID), "likes": 8])) {
                #expect($0.status == .noContent)
            }
            try await world.metricsReader.handle(MetricsJob(postID: first.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            #expect(try await world.storedMetrics(of: first)?.metrics.counts == ["likes": 8, "replies": 1])
        }
    }

    @Test("a platform whose counts ARKYRA does not read says so, and a post not published has none to read")
    func unsupported() async throws {
        try await PublishingWorld.run { world in
            let channel = try await world.connectLinkedIn()
            let post = try await FacebookPublishingTests.post(world, channel: channel, "Member post")[0]
            let read = MetricsJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil)
            try await world.metricsReader.handle(read, context: .first)
            #expect(try await world.storedMetrics(of: post) == nil, "not published yet")
            try await world.handler.handle(PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            try await world.metricsReader.handle(read, context: .first)
            #expect(try await world.storedMetrics(of: post)?.error == "ARKYRA does not read linkedin's counts yet")
        }
    }
}
