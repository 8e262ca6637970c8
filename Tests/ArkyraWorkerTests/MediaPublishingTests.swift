import ArkyraCore
@testable import ArkyraWorker
import ArkyraTestSupport
import Foundation
import HummingbirdTesting
import NIOCore
import Testing

/// Posts that carry library files, published through the platforms' upload APIs (against the sandbox).
@Suite("Worker: publishing posts with images")
struct MediaPublishingTests {
    /// A world's handler that reads files from `storage`.
    static func handler(_ world: PublishingWorld, storage: any MediaStorage) -> PublishJobHandler {
        let http = PlatformHTTP(client: .shared, timeout: .seconds(5), policy: OutboundURLPolicy(allowPrivateHosts: true))
        return PublishJobHandler(database: world.database, providers: ProviderRegistry.all(http: http, platforms: world.platforms),
                                 cipher: TokenCipher(keys: world.security.encryptionKeys), queue: world.queue, storage: storage, logger: TestEnvironment.logger)
    }

    /// Stores PNGs made by ffmpeg in the library; returns their ids.
    static func images(_ count: Int, world: PublishingWorld, storage: LocalFileStorage, alt: String? = nil) async throws -> [UUID] {
        var ids: [UUID] = []
        for index in 0..<count {
            let path = try await MediaProcessingTests.make("\(index).png", ["-f", "lavfi", "-i", "testsrc=size=\(100 + index)x80:rate=1", "-frames:v", "1"])
            let staged = try await MediaStaging.inspect(path: path, limits: MediaLimits())
            let key = "\(world.organizationID.uuidString.lowercased())/\(UUID().uuidString.lowercased()).png"
            try await storage.store(file: path, size: staged.size, key: key, contentType: "image/png")
            let repository = MediaRepository(logger: TestEnvironment.logger)
            let file = try await repository.insert(.init(organizationID: world.organizationID, name: "chart-\(index).png", format: .png, sizeBytes: staged.size,
                                                         sha256: staged.sha256, storageKey: key, uploadedBy: nil), client: world.database)
            if let alt { _ = try await repository.update(id: file.id, organizationID: world.organizationID, name: nil, alt: .some(alt), client: world.database) }
            ids.append(file.id)
        }
        return ids
    }

    @Test("a Mastodon post with two images uploads each (with its alt text) and attaches them to the status")
    func mastodon() async throws {
        try await PublishingWorld.run { world in
            let storage = LocalFileStorage(configuration: StorageConfiguration(localPath: NSTemporaryDirectory() + "arkyra-pub-\(UUID().uuidString)"),
                                           publicURL: "http://127.0.0.1", signingSecret: [7])
            let media = try await Self.images(2, world: world, storage: storage, alt: "A test chart")
            let post = try await world.database.inTransaction(logger: TestEnvironment.logger) { connection in
                try await world.posts.createGroup(organizationID: world.organizationID, authorID: world.userID,
                                                  posts: [.init(integrationID: world.channels[0], content: "With charts", mediaIDs: media)],
                                                  state: .scheduled, publishAt: Date(), timeZone: "UTC", on: connection)[0]
            }
            #expect(post.mediaIDs == media)
            try await Self.handler(world, storage: storage).handle(PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            let published = try await world.reload(post)
            #expect(published.state == .published, "\(published.error ?? "")")
            let status = try #require(published.platformPostID)
            let answer = try await world.sandbox.execute(uri: "/mastodon/api/v1/statuses/\(status)", method: .get, headers: [.authorization: "Bearer token-0"], body: nil)
            let json = try JSONSerialization.jsonObject(with: Data(buffer: answer.body)) as? [String: Any]
            let attachments = try #require(json?["media_attachments"] as? [[String: Any]])
            #expect(attachments.count == 2)
            #expect(attachments.allSatisfy { $0["type"] as? String == "image" && $0["description"] as? String == "A test chart" })
            #expect(((attachments.first?["meta"] as? [String: Any])?["original"] as? [String: Any])?["width"] as? Int == 100)
            let uploads = try await world.sandbox.execute(uri: "/_sandbox/requests", method: .get) { response in
                (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])?["requests"] as? [[String: Any]] ?? []
            }
            #expect(uploads.filter { $0["path"] as? String == "/mastodon/api/v2/media" }.count == 2)
        }
    }

    @Test("a file missing from the storage fails the post with a message that names it, and nothing is posted")
    func missingFile() async throws {
        try await PublishingWorld.run { world in
            let storage = LocalFileStorage(configuration: StorageConfiguration(localPath: NSTemporaryDirectory() + "arkyra-pub-\(UUID().uuidString)"),
                                           publicURL: "http://127.0.0.1", signingSecret: [7])
            let media = try await Self.images(1, world: world, storage: storage)
            let file = try #require(try await MediaRepository(logger: TestEnvironment.logger).find(id: media[0], organizationID: world.organizationID, client: world.database))
            try await storage.delete(key: file.storageKey)
            let post = try await world.database.inTransaction(logger: TestEnvironment.logger) { connection in
                try await world.posts.createGroup(organizationID: world.organizationID, authorID: world.userID,
                                                  posts: [.init(integrationID: world.channels[0], content: "Lost image", mediaIDs: media)],
                                                  state: .scheduled, publishAt: Date(), timeZone: "UTC", on: connection)[0]
            }
            try await Self.handler(world, storage: storage).handle(PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            let failed = try await world.reload(post)
            #expect(failed.state == .failed)
            #expect(failed.error?.contains("chart-0.png") == true, "\(failed.error ?? "")")
            #expect(try await world.statuses().isEmpty)
        }
    }

    @Test("a Mastodon video: uploaded once, the status waits in later queue jobs while Mastodon processes it (206), then carries it")
    func mastodonVideo() async throws {
        try await PublishingWorld.run { world in
            let storage = LocalFileStorage(configuration: StorageConfiguration(localPath: NSTemporaryDirectory() + "arkyra-pub-\(UUID().uuidString)"),
                                           publicURL: "http://127.0.0.1", signingSecret: [7])
            try await world.sandbox.execute(uri: "/_sandbox/mastodon/processing", method: .post, body: jsonBody(["seconds": 600])) { #expect($0.status == .noContent) }
            let path = try await MediaProcessingTests.make("clip.mp4", ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=5", "-t", "1", "-pix_fmt", "yuv420p"])
            let staged = try await MediaStaging.inspect(path: path, limits: MediaLimits())
            let key = "\(world.organizationID.uuidString.lowercased())/\(UUID().uuidString.lowercased()).mp4"
            try await storage.store(file: path, size: staged.size, key: key, contentType: "video/mp4")
            let clip = try await MediaRepository(logger: TestEnvironment.logger).insert(
                .init(organizationID: world.organizationID, name: "clip.mp4", format: .mp4, sizeBytes: staged.size, sha256: staged.sha256, storageKey: key, uploadedBy: nil),
                client: world.database)
            let post = try await world.database.inTransaction(logger: TestEnvironment.logger) { connection in
                try await world.posts.createGroup(organizationID: world.organizationID, authorID: world.userID,
                                                  posts: [.init(integrationID: world.channels[0], content: "Watch this", mediaIDs: [clip.id])],
                                                  state: .scheduled, publishAt: Date(), timeZone: "UTC", on: connection)[0]
            }
            let handler = Self.handler(world, storage: storage)
            let job = PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil)
            try await handler.handle(job, context: .first)
            #expect(try await world.reload(post).state == .publishing)
            #expect(try await world.statuses().isEmpty)
            try await handler.handle(job, context: ThreadsPublishingTests.continuing)
            #expect(try await world.reload(post).state == .publishing, "still processing: checked, not uploaded again")
            // Mastodon finishes processing.
            try await world.sandbox.execute(uri: "/_sandbox/mastodon/processing", method: .post, body: jsonBody(["seconds": 0])) { #expect($0.status == .noContent) }
            try await handler.handle(job, context: ThreadsPublishingTests.continuing)
            let published = try await world.reload(post)
            #expect(published.state == .published, "\(published.error ?? "")")
            let status = try #require(published.platformPostID)
            let answer = try await world.sandbox.execute(uri: "/mastodon/api/v1/statuses/\(status)", method: .get, headers: [.authorization: "Bearer token-0"], body: nil)
            let json = try JSONSerialization.jsonObject(with: Data(buffer: answer.body)) as? [String: Any]
            #expect((json?["media_attachments"] as? [[String: Any]])?.map { $0["type"] as? String } == ["video"])
            let uploads = try await world.sandbox.execute(uri: "/_sandbox/requests", method: .get) { response in
                (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])?["requests"] as? [[String: Any]] ?? []
            }
            #expect(uploads.filter { $0["path"] as? String == "/mastodon/api/v2/media" }.count == 1)
            #expect(uploads.filter { ($0["path"] as? String)?.hasPrefix("/mastodon/api/v1/media/") == true }.map { $0["status"] as? Int } == [206, 200])
        }
    }

    @Test("a Bluesky post with images uploads blobs and embeds them with alt text and aspect ratios")
    func bluesky() async throws {
        try await PublishingWorld.run { world in
            let storage = LocalFileStorage(configuration: StorageConfiguration(localPath: NSTemporaryDirectory() + "arkyra-pub-\(UUID().uuidString)"),
                                           publicURL: "http://127.0.0.1", signingSecret: [7])
            let channel = try await world.connectBluesky()
            let media = try await Self.images(2, world: world, storage: storage, alt: "Two charts")
            // Processing found their size; the aspect ratio comes from it.
            try await world.database.query("UPDATE media SET width = 100, height = 80, processing = 'ready'")
            let post = try await world.database.inTransaction(logger: TestEnvironment.logger) { connection in
                try await world.posts.createGroup(organizationID: world.organizationID, authorID: world.userID,
                                                  posts: [.init(integrationID: channel, content: "Charts", mediaIDs: media)],
                                                  state: .scheduled, publishAt: Date(), timeZone: "UTC", on: connection)[0]
            }
            try await Self.handler(world, storage: storage).handle(PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            let published = try await world.reload(post)
            #expect(published.state == .published, "\(published.error ?? "")")
            #expect(try await world.blueskyCalls() == [
                "com.atproto.server.createSession", "com.atproto.repo.uploadBlob", "com.atproto.repo.uploadBlob", "com.atproto.repo.createRecord",
            ])
            let uri = try #require(published.platformPostID)
            let parts = uri.dropFirst("at://".count).split(separator: "/")
            let record = try await world.sandbox.execute(
                uri: "/bluesky/xrpc/com.atproto.repo.getRecord?repo=\(parts[0])&collection=\(parts[1])&rkey=\(parts[2])", method: .get, headers: [:], body: nil
            )
            let value = (try JSONSerialization.jsonObject(with: Data(buffer: record.body)) as? [String: Any])?["value"] as? [String: Any]
            let embed = try #require(value?["embed"] as? [String: Any])
            #expect(embed["$type"] as? String == "app.bsky.embed.images")
            let images = try #require(embed["images"] as? [[String: Any]])
            #expect(images.count == 2)
            #expect(images.allSatisfy { $0["alt"] as? String == "Two charts" })
            #expect((images.first?["aspectRatio"] as? [String: Any])?["width"] as? Int == 100)
        }
    }

    @Test("a Bluesky video goes to the video service with a token from the PDS; the job is checked by later queue jobs; the post embeds the finished blob, once")
    func blueskyVideo() async throws {
        try await PublishingWorld.run { world in
            let storage = YouTubePublishingTests.storage()
            let channel = try await world.connectBluesky()
            try await world.sandbox.execute(uri: "/_sandbox/bluesky/video-processing", method: .post, body: jsonBody(["seconds": 600])) { #expect($0.status == .noContent) }
            let clip = try await YouTubePublishingTests.video(bytes: 200_000, world: world, storage: storage)
            try await world.database.query("UPDATE media SET width = 64, height = 48, alt = 'A test pattern', processing = 'ready'")
            let post = try await FacebookPublishingTests.post(world, channel: channel, "Watch", media: [clip])[0]
            let handler = Self.handler(world, storage: storage)
            let job = PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil)
            try await handler.handle(job, context: .first)
            try await handler.handle(job, context: ThreadsPublishingTests.continuing)
            #expect(try await world.reload(post).state == .publishing, "still processing")
            try await world.sandbox.execute(uri: "/_sandbox/bluesky/video-processing", method: .post, body: jsonBody(["seconds": 0])) { #expect($0.status == .noContent) }
            try await handler.handle(job, context: ThreadsPublishingTests.continuing)
            let published = try await world.reload(post)
            #expect(published.state == .published, "\(published.error ?? "")")
            let calls = try await YouTubePublishingTests.calls(world, platform: "bluesky-video").compactMap { $0["path"] as? String }
            #expect(calls == ["/bluesky-video/xrpc/app.bsky.video.uploadVideo", "/bluesky-video/xrpc/app.bsky.video.getJobStatus",
                              "/bluesky-video/xrpc/app.bsky.video.getJobStatus"])
            let records = try await world.blueskyRecords()
            #expect(records.count == 1)
            let embed = try #require((records.first?["value"] as? [String: Any])?["embed"] as? [String: Any])
            #expect(embed["$type"] as? String == "app.bsky.embed.video")
            #expect(embed["alt"] as? String == "A test pattern")
            #expect(((embed["video"] as? [String: Any])?["mimeType"]) as? String == "video/mp4")
            #expect((embed["aspectRatio"] as? [String: Any])?["width"] as? Int == 64)

            // The same bytes again (a retry after a lost answer) answer the same job: no second video.
            let again = try await FacebookPublishingTests.post(world, channel: channel, "Watch again", media: [clip])[0]
            try await handler.handle(PublishJob(postID: again.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            let uploads = try await YouTubePublishingTests.calls(world, platform: "bluesky-video").filter { ($0["path"] as? String)?.hasSuffix("uploadVideo") == true }
            #expect(uploads.map { $0["status"] as? Int } == [200, 409])
        }
    }
}
