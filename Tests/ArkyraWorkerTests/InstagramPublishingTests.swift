import ArkyraCore
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import Testing

/// Instagram publishes through containers like Threads (``ThreadsPublishingTests`` covers the processing
/// steps); what differs is checked here: JPEG only, captions, carousels of items, thread items as comments.
@Suite("Worker: publishing to Instagram (JPEG through containers, carousels, threads as comments)")
struct InstagramPublishingTests {
    /// Images made by ffmpeg (`format`: jpeg or png), stored in the test bucket and the library; returns their ids.
    static func images(_ count: Int, format: MediaFormat, from first: Int = 0, world: PublishingWorld, storage: S3Storage) async throws -> [UUID] {
        var ids: [UUID] = []
        for index in first..<(first + count) {
            let path = try await MediaProcessingTests.make("insta-\(index).\(format.fileExtension)", ["-f", "lavfi", "-i", "testsrc=size=\(200 + index)x200:rate=1", "-frames:v", "1"])
            let staged = try await MediaStaging.inspect(path: path, limits: MediaLimits())
            let key = "\(world.organizationID.uuidString.lowercased())/\(UUID().uuidString.lowercased()).\(format.fileExtension)"
            try await storage.store(file: path, size: staged.size, key: key, contentType: format.mimeType)
            let file = try await MediaRepository(logger: TestEnvironment.logger).insert(
                .init(organizationID: world.organizationID, name: "photo-\(index).\(format.fileExtension)", format: format, sizeBytes: staged.size,
                      sha256: staged.sha256, storageKey: key, uploadedBy: nil), client: world.database)
            ids.append(file.id)
        }
        return ids
    }

    @Test("a JPEG with a caption, then a thread's later items as comments on it; a carousel of three")
    func publishes() async throws {
        try await PublishingWorld.run { world in
            let storage = S3Storage(configuration: TestS3.configuration(), client: .shared)
            let handler = ThreadsPublishingTests.handler(world, storage: storage)
            let channel = try await world.connectInstagram()
            try await world.sandbox.execute(uri: "/_sandbox/instagram/processing", method: .post, body: jsonBody(["seconds": 0])) { #expect($0.status == .noContent) }
            let photo = try await Self.images(1, format: .jpeg, world: world, storage: storage)
            let thread = try await FacebookPublishingTests.post(world, channel: channel, "New office #hiring", media: photo, thread: ["Come by on Friday"])
            // The first item takes a job for its container and later ones while Instagram processes it; the comment one.
            for item in thread { try await ThreadsPublishingTests.publishToTheEnd(item, with: handler, in: world) }
            let published = try await thread.asyncMap { try await world.reload($0) }
            #expect(published.map(\.state) == [.published, .published], "\(published.map { $0.error ?? "" })")
            var posts = try await world.instagramPosts()
            #expect(posts.count == 1)
            #expect(posts.first?["text"] as? String == "New office #hiring")
            #expect(published[0].platformURL?.hasPrefix("https://www.instagram.com/p/") == true)
            let comments = try #require(posts.first?["comments"] as? [[String: Any]])
            #expect(comments.map { $0["text"] as? String } == ["Come by on Friday"])
            #expect(published[1].platformPostID == "\(published[0].platformPostID ?? "")/\(comments.first?["id"] as? String ?? "")")

            let carousel = try await FacebookPublishingTests.post(world, channel: channel, "Three views", media: try await Self.images(3, format: .jpeg, from: 1, world: world, storage: storage))[0]
            try await ThreadsPublishingTests.publishToTheEnd(carousel, with: handler, in: world)
            #expect(try await world.reload(carousel).state == .published)
            posts = try await world.instagramPosts()
            #expect(posts.last?["media_type"] as? String == "CAROUSEL")
            #expect((posts.last?["media"] as? [[String: String]])?.count == 3)
        }
    }

    @Test("through Facebook Login: the Instagram account linked to a Page is chosen, and the Page's token publishes on Facebook's Graph API as Instagram Login does")
    func facebookLogin() async throws {
        try await PublishingWorld.run { world in
            let storage = S3Storage(configuration: TestS3.configuration(), client: .shared)
            let handler = ThreadsPublishingTests.handler(world, storage: storage)
            let person = try await world.sandbox.execute(uri: "/_sandbox/facebook/accounts", method: .post, body: jsonBody(["username": "Ada Lovelace"])) {
                $0.json["id"] as? String ?? ""
            }
            let page = try await world.sandbox.execute(uri: "/_sandbox/facebook/pages", method: .post, body: jsonBody(["manager_id": person, "name": "Ada's Studio"])) {
                $0.json["id"] as? String ?? ""
            }
            try await world.sandbox.execute(uri: "/_sandbox/facebook/pages/\(page)/instagram", method: .post, body: jsonBody(["username": "ada.studio"])) {
                #expect($0.status == .created)
            }
            try await world.sandbox.execute(uri: "/_sandbox/instagram/processing", method: .post, body: jsonBody(["seconds": 0])) { #expect($0.status == .noContent) }
            let provider = InstagramFacebookProvider(http: world.platformHTTP, app: world.platforms.facebook)
            let connected = try await world.connectChoice(provider, username: "Ada Lovelace", choiceName: "@ada.studio (Ada's Studio)", sandboxPlatform: "facebook")
            let photo = try await Self.images(1, format: .jpeg, world: world, storage: storage)
            let thread = try await FacebookPublishingTests.post(world, channel: connected.channel, "Studio opening", media: photo, thread: ["Doors at six"])
            for item in thread { try await ThreadsPublishingTests.publishToTheEnd(item, with: handler, in: world) }
            let published = try await thread.asyncMap { try await world.reload($0) }
            #expect(published.map(\.state) == [.published, .published], "\(published.map { $0.error ?? "" })")
            let posts = try await world.instagramPosts()
            #expect(posts.map { $0["text"] as? String } == ["Studio opening"])
            #expect((posts.first?["comments"] as? [[String: Any]])?.map { $0["text"] as? String } == ["Doors at six"])
            let calls = try await world.sandbox.execute(uri: "/_sandbox/requests?platform=facebook", method: .get) { ($0.json["requests"] as? [[String: Any]]) ?? [] }
            let paths = calls.compactMap { $0["path"] as? String }
            #expect(paths.contains("/facebook/v23.0/\(connected.choice)/media"))
            #expect(paths.contains("/facebook/v23.0/\(connected.choice)/media_publish"))
            #expect(try await world.sandbox.execute(uri: "/_sandbox/requests?platform=instagram", method: .get) { ($0.json["requests"] as? [[String: Any]]) ?? [] }.isEmpty,
                    "nothing went to Instagram's own host")
        }
    }

    @Test("a PNG without its JPEG copy fails in words and nothing is sent to Instagram")
    func needsJPEG() async throws {
        try await PublishingWorld.run { world in
            let storage = S3Storage(configuration: TestS3.configuration(), client: .shared)
            let channel = try await world.connectInstagram()
            let post = try await FacebookPublishingTests.post(world, channel: channel, "Not a JPEG", media: try await Self.images(1, format: .png, world: world, storage: storage))[0]
            try await ThreadsPublishingTests.handler(world, storage: storage).handle(PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            let failed = try await world.reload(post)
            #expect(failed.state == .failed)
            #expect(failed.error?.contains("Instagram takes JPEG images") == true)
            let calls = try await world.sandbox.execute(uri: "/_sandbox/requests?platform=instagram", method: .get) { ($0.json["requests"] as? [[String: Any]]) ?? [] }
            #expect(!calls.contains { ($0["path"] as? String)?.hasSuffix("/media") == true })
        }
    }
}
