import ArkyraCore
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import Testing

@Suite("Worker: publishing to a Facebook Page (Page tokens, photos, threads as comments)")
struct FacebookPublishingTests {
    static func post(_ world: PublishingWorld, channel: UUID, _ content: String, media: [UUID] = [], thread: [String] = []) async throws -> [Post] {
        try await world.database.inTransaction(logger: TestEnvironment.logger) { connection in
            try await world.posts.createGroup(organizationID: world.organizationID, authorID: world.userID,
                                              posts: [.init(integrationID: channel, content: content, thread: thread.map { .init(content: $0, delaySeconds: 0) }, mediaIDs: media)],
                                              state: .scheduled, publishAt: Date(), timeZone: "UTC", on: connection)
        }
    }

    @Test("a thread on a Page: the first item a feed post, the later ones its comments, each deleted apart")
    func thread() async throws {
        try await PublishingWorld.run { world in
            let channel = try await world.connectFacebook()
            let items = try await Self.post(world, channel: channel, "We are hiring", thread: ["Backend engineers", "Apply by Friday"])
            for item in items {
                try await world.handler.handle(PublishJob(postID: item.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            }
            let published = try await items.asyncMap { try await world.reload($0) }
            #expect(published.map(\.state) == [.published, .published, .published])
            let posts = try await world.facebookPosts()
            #expect(posts.count == 1)
            let post = try #require(posts.first)
            #expect(post["message"] as? String == "We are hiring")
            #expect(post["page_id"] as? String == (try await world.externalID(of: channel)))
            #expect(published[0].platformPostID == post["id"] as? String)
            #expect(published[0].platformURL == "https://www.facebook.com/\(post["id"] as? String ?? "")")
            let comments = try #require(post["comments"] as? [[String: Any]])
            #expect(comments.map { $0["message"] as? String } == ["Backend engineers", "Apply by Friday"])
            #expect(published.dropFirst().map(\.platformPostID) == comments.map { "\(post["id"] as? String ?? "")/\($0["id"] as? String ?? "")" })

            let provider = FacebookProvider(http: world.platformHTTP, app: world.platforms.facebook)
            let credentials = try await world.openedCredentials(of: channel)
            try await provider.delete(DeleteRequest(credentials: credentials, platformID: try #require(published[2].platformPostID), accountID: nil))
            #expect((try await world.facebookPosts().first?["comments"] as? [[String: Any]])?.count == 1)
            try await provider.delete(DeleteRequest(credentials: credentials, platformID: try #require(published[0].platformPostID), accountID: nil))
            #expect(try await world.facebookPosts().isEmpty)
            try await provider.delete(DeleteRequest(credentials: credentials, platformID: try #require(published[0].platformPostID), accountID: nil))
        }
    }

    @Test("one image is a published photo with its caption and alt text; three are unpublished photos attached to one post")
    func photos() async throws {
        try await PublishingWorld.run { world in
            let storage = LocalFileStorage(configuration: StorageConfiguration(localPath: NSTemporaryDirectory() + "arkyra-fb-\(UUID().uuidString)"),
                                           publicURL: "http://127.0.0.1", signingSecret: [7])
            let handler = MediaPublishingTests.handler(world, storage: storage)
            let channel = try await world.connectFacebook()
            let images = try await MediaPublishingTests.images(4, world: world, storage: storage, alt: "A chart")
            let single = try await Self.post(world, channel: channel, "Q4 in one chart", media: [images[0]])[0]
            let triple = try await Self.post(world, channel: channel, "Three more", media: Array(images[1...]))[0]
            for post in [single, triple] {
                try await handler.handle(PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
                let published = try await world.reload(post)
                #expect(published.state == .published, "\(published.error ?? "")")
            }
            let posts = try await world.facebookPosts()
            #expect(posts.map { $0["message"] as? String } == ["Q4 in one chart", "Three more"])
            #expect(posts.map { ($0["photos"] as? [[String: Any]])?.count } == [1, 3])
            #expect((posts[0]["photos"] as? [[String: Any]])?.first?["alt_text"] as? String == "A chart")
            #expect((posts[1]["photos"] as? [[String: Any]])?.allSatisfy { $0["content_type"] as? String == "image/png" } == true)
        }
    }

    @Test("a post whose answer was lost is found among the Page's posts and recorded once")
    func lostAnswer() async throws {
        try await PublishingWorld.run { world in
            let channel = try await world.connectFacebook()
            try await world.fault("timeout_after_accept", platform: "facebook", extra: ["delay": 5, "path": "/feed"])
            let post = try await Self.post(world, channel: channel, "Did it go out?")[0]
            try await world.handler.handle(PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            #expect(try await world.reload(post).state == .publishing)
            try await world.handler.handle(PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil),
                                           context: JobContext(consumer: "worker-b", deliveries: 1, staleOwner: JobContext.first.consumer))
            let settled = try await world.reload(post)
            #expect(settled.state == .published, "\(settled.error ?? "")")
            let posts = try await world.facebookPosts()
            #expect(posts.count == 1)
            #expect(settled.platformPostID == posts.first?["id"] as? String)
        }
    }

    @Test("Facebook's refusals: a revoked Page token asks for a reconnect, the Page's call limit waits")
    func refusals() async throws {
        try await PublishingWorld.run { world in
            let channel = try await world.connectFacebook()
            try await world.fault("rate_limit", platform: "facebook")
            let limited = try await Self.post(world, channel: channel, "Later, then")[0]
            try await world.handler.handle(PublishJob(postID: limited.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            let waiting = try await world.reload(limited)
            #expect(waiting.state == .scheduled)
            #expect(waiting.error?.contains("Page request limit reached") == true)

            try await world.database.query("UPDATE integrations SET rate_limited_until = NULL WHERE id = \(channel)")
            try await world.fault("invalid_token", platform: "facebook", count: 2)
            let refused = try await Self.post(world, channel: channel, "Never sent")[0]
            try await world.handler.handle(PublishJob(postID: refused.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            let failed = try await world.reload(refused)
            #expect(failed.state == .failed)
            #expect(failed.error?.contains("reconnect") == true)
            #expect(try await world.channel(channel).state == "refresh_needed")
            #expect(try await world.facebookPosts().isEmpty)
        }
    }

    @Test("a video goes up through a resumable session kept on the post: a chunk refused midway is sent again into the same session, and finishing it publishes one video")
    func video() async throws {
        try await PublishingWorld.run { world in
            let storage = YouTubePublishingTests.storage()
            let channel = try await world.connectFacebook()
            let size = 6 * 1024 * 1024 + 777
            let clip = try await YouTubePublishingTests.video(bytes: size, world: world, storage: storage)
            let post = try await Self.post(world, channel: channel, "Behind the scenes\nHow we built it", media: [clip])[0]
            let handler = MediaPublishingTests.handler(world, storage: storage)
            let job = PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil)
            try await handler.handle(job, context: .first)
            #expect(try await world.reload(post).state == .publishing, "the session is opened and kept first")
            try await world.sandbox.execute(uri: "/_sandbox/faults", method: .post, body: jsonBody(
                ["platform": "facebook", "kind": "server_error", "count": 1, "path": "/videos", "after": 1]
            )) { #expect($0.status == .created) }
            try await handler.handle(job, context: ThreadsPublishingTests.continuing)
            #expect(try await world.reload(post).state == .publishing, "a refused chunk is retried")
            try await handler.handle(job, context: ThreadsPublishingTests.continuing)
            let published = try await world.reload(post)
            #expect(published.state == .published, "\(published.error ?? "")")
            let videos = try await world.facebookPosts().filter { $0["video_bytes"] as? Int != nil }
            #expect(videos.count == 1)
            #expect(videos.first?["video_bytes"] as? Int == size)
            #expect(videos.first?["message"] as? String == "Behind the scenes\nHow we built it")
            let id = try #require(published.platformPostID)
            #expect(published.platformURL == "https://www.facebook.com/\(try await world.externalID(of: channel))/videos/\(id)/")
            let provider = FacebookProvider(http: world.platformHTTP, app: world.platforms.facebook)
            try await provider.delete(DeleteRequest(credentials: try await world.openedCredentials(of: channel), platformID: id, accountID: nil))
            #expect(try await world.facebookPosts().isEmpty)
        }
    }
}
