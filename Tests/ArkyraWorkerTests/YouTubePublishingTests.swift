import ArkyraCore
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import Testing

@Suite("Worker: publishing videos to YouTube through resumable uploads")
struct YouTubePublishingTests {
    /// A real MP4 clip padded to `bytes` (the platforms read its head; the size makes several chunks), in the library.
    static func video(bytes: Int, world: PublishingWorld, storage: LocalFileStorage) async throws -> UUID {
        let path = try await MediaProcessingTests.make("clip.mp4", ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=5", "-t", "1", "-pix_fmt", "yuv420p"])
        let handle = try #require(FileHandle(forWritingAtPath: path))
        let clip = try handle.seekToEnd()
        try handle.write(contentsOf: Data(count: max(0, bytes - Int(clip))))
        try handle.close()
        let staged = try await MediaStaging.inspect(path: path, limits: MediaLimits())
        let key = "\(world.organizationID.uuidString.lowercased())/\(UUID().uuidString.lowercased()).mp4"
        try await storage.store(file: path, size: staged.size, key: key, contentType: "video/mp4")
        return try await MediaRepository(logger: TestEnvironment.logger).insert(
            .init(organizationID: world.organizationID, name: "clip.mp4", format: .mp4, sizeBytes: staged.size, sha256: staged.sha256, storageKey: key, uploadedBy: nil),
            client: world.database
        ).id
    }

    static func storage() -> LocalFileStorage {
        LocalFileStorage(configuration: StorageConfiguration(localPath: NSTemporaryDirectory() + "arkyra-video-\(UUID().uuidString)"),
                         publicURL: "http://127.0.0.1", signingSecret: [7])
    }

    static func calls(_ world: PublishingWorld, platform: String) async throws -> [[String: Any]] {
        try await world.sandbox.execute(uri: "/_sandbox/requests?platform=\(platform)", method: .get) { ($0.json["requests"] as? [[String: Any]]) ?? [] }
    }

    @Test("a video is opened as a session, sent in 8 MiB chunks and resumed where YouTube says after a lost answer — one video, its comments, counts and deletion")
    func resumable() async throws {
        try await PublishingWorld.run { world in
            let storage = Self.storage()
            let channel = try await world.connect(YouTubeProvider(http: world.platformHTTP, app: world.platforms.youtube), username: "ada_tube")
            let size = 9 * 1024 * 1024 + 12_345
            let clip = try await Self.video(bytes: size, world: world, storage: storage)
            let items = try await FacebookPublishingTests.post(world, channel: channel, "Our kitchen tour\nA walk through the new kitchen.", media: [clip],
                                                               thread: ["Chapters: 0:00 intro"])
            let handler = MediaPublishingTests.handler(world, storage: storage)
            let job = PublishJob(postID: items[0].id, organizationID: world.organizationID).job(requestID: nil)

            // The first step opens the session and keeps it; nothing is uploaded yet.
            try await handler.handle(job, context: .first)
            #expect(try await world.reload(items[0]).state == .publishing)
            // YouTube takes the first chunk (after the status question) but its answer never comes back in time
            // (the 8 MiB chunk is given 3 s plus 8 s at 1 MiB/s).
            try await world.sandbox.execute(uri: "/_sandbox/faults", method: .post, body: jsonBody(
                ["platform": "youtube", "kind": "timeout_after_accept", "count": 1, "delay": 14, "path": "/upload/youtube/v3/videos", "after": 1]
            )) { #expect($0.status == .created) }
            try await handler.handle(job, context: ThreadsPublishingTests.continuing)
            #expect(try await world.reload(items[0]).state == .publishing, "the lost answer is retried, not failed")
            // The retry asks the session how far it got and sends only the rest.
            try await handler.handle(job, context: ThreadsPublishingTests.continuing)
            let published = try await world.reload(items[0])
            #expect(published.state == .published, "\(published.error ?? "")")

            let videos = try await world.sandbox.execute(uri: "/_sandbox/youtube/videos", method: .get) { $0.json["videos"] as? [[String: Any]] ?? [] }
            #expect(videos.count == 1)
            let video = try #require(videos.first)
            #expect(video["title"] as? String == "Our kitchen tour")
            #expect(video["description"] as? String == "Our kitchen tour\nA walk through the new kitchen.")
            #expect(video["bytes"] as? Int == size)
            #expect(video["upload_status"] as? String == "processed")
            let id = try #require(video["id"] as? String)
            #expect(published.platformPostID == id)
            #expect(published.platformURL == "https://www.youtube.com/watch?v=\(id)")
            // The sandbox logs the chunk whose answer was late when it answers.
            var puts: [String] = []
            for _ in 0..<30 {
                puts = try await Self.calls(world, platform: "youtube").filter { $0["method"] as? String == "PUT" }.map { $0["body"] as? String ?? "" }
                if puts.count == 4 { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(puts.sorted() == ["(0 bytes)", "(0 bytes)", "(\(size - 8_388_608) bytes)", "(8388608 bytes)"], "two status questions, chunk one once, then only the rest")

            // The thread's next item is a comment on the video.
            try await handler.handle(PublishJob(postID: items[1].id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            let comment = try await world.reload(items[1])
            #expect(comment.state == .published, "\(comment.error ?? "")")
            let comments = try await world.sandbox.execute(uri: "/_sandbox/youtube/videos", method: .get) { $0.json["videos"] as? [[String: Any]] ?? [] }
                .first?["comments"] as? [[String: Any]] ?? []
            #expect(comments.map { $0["text"] as? String } == ["Chapters: 0:00 intro"])
            #expect(comment.platformPostID == "\(id)/\(comments.first?["id"] as? String ?? "")")

            try await world.sandbox.execute(uri: "/_sandbox/youtube/videos/\(id)/statistics", method: .post, body: jsonBody(["viewCount": 120, "likeCount": 9])) {
                #expect($0.status == .noContent)
            }
            try await world.metricsReader.handle(MetricsJob(postID: items[0].id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            let counts = try await world.storedMetrics(of: items[0])?.metrics.counts
            #expect(counts?["views"] == 120)
            #expect(counts?["likes"] == 9)
            #expect(counts?["replies"] == 1)

            let provider = YouTubeProvider(http: world.platformHTTP, app: world.platforms.youtube)
            let credentials = try await world.openedCredentials(of: channel)
            try await provider.delete(DeleteRequest(credentials: credentials, platformID: try #require(comment.platformPostID), accountID: nil))
            try await provider.delete(DeleteRequest(credentials: credentials, platformID: id, accountID: nil))
            try await provider.delete(DeleteRequest(credentials: credentials, platformID: id, accountID: nil))
            #expect(try await world.sandbox.execute(uri: "/_sandbox/youtube/videos", method: .get) { $0.json["videos"] as? [[String: Any]] ?? [] }.isEmpty)
        }
    }
}
