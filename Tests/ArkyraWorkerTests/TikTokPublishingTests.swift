import ArkyraCore
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import Testing

@Suite("Worker: publishing videos to TikTok (Direct Post)")
struct TikTokPublishingTests {
    @Test("a video: the creator's options read, an upload opened and sent in chunks, its status checked by later queue jobs until TikTok published it; its counts are read")
    func directPost() async throws {
        try await PublishingWorld.run { world in
            let storage = YouTubePublishingTests.storage()
            let channel = try await world.connect(TikTokProvider(http: world.platformHTTP, app: world.platforms.tiktok), username: "ada_tok")
            try await world.sandbox.execute(uri: "/_sandbox/tiktok/processing", method: .post, body: jsonBody(["seconds": 600])) { #expect($0.status == .noContent) }
            let size = 21 * 1024 * 1024
            let clip = try await YouTubePublishingTests.video(bytes: size, world: world, storage: storage)
            let post = try await FacebookPublishingTests.post(world, channel: channel, "Kitchen tour 🍳 #home", media: [clip])[0]
            let handler = MediaPublishingTests.handler(world, storage: storage)
            let job = PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil)

            try await handler.handle(job, context: .first)
            let opened = try await world.reload(post)
            #expect(opened.state == .publishing, "\(opened.error ?? "")")
            try await handler.handle(job, context: ThreadsPublishingTests.continuing)
            #expect(try await world.reload(post).state == .publishing, "still processing: checked, not uploaded again")
            try await world.sandbox.execute(uri: "/_sandbox/tiktok/processing", method: .post, body: jsonBody(["seconds": 0])) { #expect($0.status == .noContent) }
            try await handler.handle(job, context: ThreadsPublishingTests.continuing)
            let published = try await world.reload(post)
            #expect(published.state == .published, "\(published.error ?? "")")

            let publishes = try await world.sandbox.execute(uri: "/_sandbox/tiktok/publishes", method: .get) { $0.json["publishes"] as? [[String: Any]] ?? [] }
            #expect(publishes.count == 1)
            let publish = try #require(publishes.first)
            #expect(publish["caption"] as? String == "Kitchen tour 🍳 #home")
            #expect(publish["privacy"] as? String == "PUBLIC_TO_EVERYONE")
            #expect(publish["received"] as? Int == size)
            let video = try #require(publish["video_id"] as? String)
            #expect(published.platformPostID == video)
            #expect(published.platformURL == "https://www.tiktok.com/@ada_tok/video/\(video)")
            let calls = try await YouTubePublishingTests.calls(world, platform: "tiktok")
            #expect(calls.filter { $0["method"] as? String == "PUT" }.map { $0["status"] as? Int } == [206, 201], "two chunks: 10 MiB, then the 11 MiB rest")
            #expect(calls.filter { ($0["path"] as? String)?.hasSuffix("/status/fetch/") == true }.count == 2)

            try await world.sandbox.execute(uri: "/_sandbox/tiktok/videos/\(video)/metrics", method: .post, body: jsonBody(["view_count": 300, "share_count": 4])) {
                #expect($0.status == .noContent)
            }
            try await world.metricsReader.handle(MetricsJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            let counts = try await world.storedMetrics(of: post)?.metrics.counts
            #expect(counts?["views"] == 300)
            #expect(counts?["shares"] == 4)
        }
    }

    @Test("an app TikTok has not audited posts privately: the publish id stands for the video; a file TikTok cannot read fails in words")
    func privateAndFailed() async throws {
        try await PublishingWorld.run { world in
            let storage = YouTubePublishingTests.storage()
            let channel = try await world.connect(TikTokProvider(http: world.platformHTTP, app: world.platforms.tiktok), username: "ada_tok")
            try await world.sandbox.execute(uri: "/_sandbox/tiktok/privacy", method: .post, body: jsonBody(["options": ["SELF_ONLY"]])) { #expect($0.status == .noContent) }
            try await world.sandbox.execute(uri: "/_sandbox/tiktok/processing", method: .post, body: jsonBody(["seconds": 0])) { #expect($0.status == .noContent) }
            let clip = try await YouTubePublishingTests.video(bytes: 300_000, world: world, storage: storage)
            let post = try await FacebookPublishingTests.post(world, channel: channel, "Just for me", media: [clip])[0]
            let handler = MediaPublishingTests.handler(world, storage: storage)
            let job = PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil)
            try await handler.handle(job, context: .first)
            try await handler.handle(job, context: ThreadsPublishingTests.continuing)
            let published = try await world.reload(post)
            #expect(published.state == .published, "\(published.error ?? "")")
            #expect(published.platformPostID?.hasPrefix("v_pub_file~") == true)
            #expect(published.platformURL == nil)
            let publishes = try await world.sandbox.execute(uri: "/_sandbox/tiktok/publishes", method: .get) { $0.json["publishes"] as? [[String: Any]] ?? [] }
            #expect(publishes.first?["privacy"] as? String == "SELF_ONLY")

            try await world.sandbox.execute(uri: "/_sandbox/tiktok/processing", method: .post, body: jsonBody(["seconds": 0, "fail_reason": "frame_rate_check_failed"])) {
                #expect($0.status == .noContent)
            }
            let second = try await FacebookPublishingTests.post(world, channel: channel, "Too fast", media: [clip])[0]
            let secondJob = PublishJob(postID: second.id, organizationID: world.organizationID).job(requestID: nil)
            try await handler.handle(secondJob, context: .first)
            try await handler.handle(secondJob, context: ThreadsPublishingTests.continuing)
            let failed = try await world.reload(second)
            #expect(failed.state == .failed)
            #expect(failed.error?.contains("frame rate must be between 23 and 60") == true, "\(failed.error ?? "")")
        }
    }
}
