import ArkyraCore
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import PostgresNIO
import Testing

/// Threads publishes in steps: a container, Threads' processing of its files (checked by later queue jobs),
/// then the publish. Files are fetched by the emulated Threads from presigned URLs of the test S3 server.
@Suite("Worker: publishing to Threads (containers, processing as queue jobs, threads as replies)")
struct ThreadsPublishingTests {
    /// The job that continues a post this worker left `publishing` while Threads processes it.
    static let continuing = JobContext(consumer: JobContext.first.consumer, deliveries: 1, staleOwner: JobContext.first.consumer)

    static func handler(_ world: PublishingWorld, storage: any MediaStorage) -> PublishJobHandler {
        MediaPublishingTests.handler(world, storage: storage)
    }

    /// PNGs made by ffmpeg, stored in the test bucket and the library; returns their ids.
    static func images(_ count: Int, from first: Int = 0, world: PublishingWorld, storage: S3Storage) async throws -> [UUID] {
        var ids: [UUID] = []
        for index in first..<(first + count) {
            let path = try await MediaProcessingTests.make("threads-\(index).png", ["-f", "lavfi", "-i", "testsrc=size=\(120 + index)x90:rate=1", "-frames:v", "1"])
            let staged = try await MediaStaging.inspect(path: path, limits: MediaLimits())
            let key = "\(world.organizationID.uuidString.lowercased())/\(UUID().uuidString.lowercased()).png"
            try await storage.store(file: path, size: staged.size, key: key, contentType: "image/png")
            let repository = MediaRepository(logger: TestEnvironment.logger)
            let file = try await repository.insert(.init(organizationID: world.organizationID, name: "photo-\(index).png", format: .png, sizeBytes: staged.size,
                                                         sha256: staged.sha256, storageKey: key, uploadedBy: nil), client: world.database)
            _ = try await repository.update(id: file.id, organizationID: world.organizationID, name: nil, alt: .some("Photo \(index)"), client: world.database)
            ids.append(file.id)
        }
        return ids
    }

    static func post(_ world: PublishingWorld, channel: UUID, _ content: String, media: [UUID] = []) async throws -> Post {
        try await world.database.inTransaction(logger: TestEnvironment.logger) { connection in
            try await world.posts.createGroup(organizationID: world.organizationID, authorID: world.userID,
                                              posts: [.init(integrationID: channel, content: content, mediaIDs: media)],
                                              state: .scheduled, publishAt: Date(), timeZone: "UTC", on: connection)[0]
        }
    }

    /// Runs the post's job, then the jobs that continue it, as the queue would, until it is published or
    /// failed (at most `tries` continuations, 100 ms apart: the emulated platform fetches files on its own time).
    static func publishToTheEnd(_ post: Post, with handler: PublishJobHandler, in world: PublishingWorld, tries: Int = 50) async throws {
        let job = PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil)
        try await handler.handle(job, context: .first)
        for _ in 0..<tries where try await world.reload(post).state == .publishing {
            try await Task.sleep(for: .milliseconds(100))
            try await handler.handle(job, context: continuing)
        }
    }

    static func container(of post: Post, in world: PublishingWorld) async throws -> String? {
        for try await value in try await world.database.query("SELECT platform_container FROM posts WHERE id = \(post.id)").decode(String?.self) { return value }
        return nil
    }

    static func processing(_ world: PublishingWorld, seconds: Double, error: String? = nil) async throws {
        var body: [String: Any] = ["seconds": seconds]
        if let error { body["error"] = error }
        try await world.sandbox.execute(uri: "/_sandbox/threads/processing", method: .post, body: jsonBody(body)) { #expect($0.status == .noContent) }
    }

    @Test("a text thread: each item is a container published at once, the later ones replying to the one before, with permalinks")
    func textThread() async throws {
        try await PublishingWorld.run { world in
            let channel = try await world.connectThreads()
            let texts = ["Shipping day 🚀", "What changed: faster publishing", "Thanks for reading"]
            let thread = try await world.database.inTransaction(logger: TestEnvironment.logger) { connection in
                try await world.posts.createGroup(
                    organizationID: world.organizationID, authorID: world.userID,
                    posts: [.init(integrationID: channel, content: texts[0], thread: texts.dropFirst().map { .init(content: $0, delaySeconds: 0) })],
                    state: .scheduled, publishAt: Date(), timeZone: "UTC", on: connection
                )
            }
            for item in thread {
                try await world.handler.handle(PublishJob(postID: item.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            }
            let published = try await thread.asyncMap { try await world.reload($0) }
            #expect(published.map(\.state) == [.published, .published, .published])
            let posts = try await world.threadsPosts()
            #expect(posts.map { $0["text"] as? String } == texts)
            #expect(posts.map { $0["id"] as? String } == published.map(\.platformPostID))
            #expect(posts.dropFirst().map { $0["reply_to_id"] as? String } == published.dropLast().map(\.platformPostID))
            #expect(published.allSatisfy { $0.platformURL?.hasPrefix("https://www.threads.net/@ada.threads/post/") == true })
        }
    }

    @Test("an image: the container is kept while Threads processes it, a later job publishes it; two images make a carousel")
    func imagesAsQueueJobs() async throws {
        try await PublishingWorld.run { world in
            let storage = S3Storage(configuration: TestS3.configuration(), client: .shared)
            let channel = try await world.connectThreads()
            let handler = Self.handler(world, storage: storage)
            try await Self.processing(world, seconds: 600)

            let single = try await Self.post(world, channel: channel, "One photo", media: try await Self.images(1, world: world, storage: storage))
            try await handler.handle(PublishJob(postID: single.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            #expect(try await world.reload(single).state == .publishing)
            let container = try #require(try await Self.container(of: single, in: world))
            #expect(try await world.threadsPosts().isEmpty)
            // The worker asked the queue to come back (a delayed job, not a sleeping handler), and checking too
            // early changes nothing.
            let jobID = PublishJob(postID: single.id, organizationID: world.organizationID).job(requestID: nil).id
            let due = try #require(try await world.queue.dueTime(ofJob: jobID))
            #expect((5...15).contains(due.timeIntervalSinceNow))
            try await handler.handle(PublishJob(postID: single.id, organizationID: world.organizationID).job(requestID: nil), context: Self.continuing)
            #expect(try await world.reload(single).state == .publishing)
            #expect(try await Self.container(of: single, in: world) == container)
            // Threads finishes processing (once it has fetched the file, which it does on its own time).
            try await Self.processing(world, seconds: 0)
            for _ in 0..<50 where try await world.reload(single).state == .publishing {
                try await handler.handle(PublishJob(postID: single.id, organizationID: world.organizationID).job(requestID: nil), context: Self.continuing)
                try await Task.sleep(for: .milliseconds(100))
            }
            let published = try await world.reload(single)
            #expect(published.state == .published, "\(published.error ?? "")")
            var posts = try await world.threadsPosts()
            #expect(posts.count == 1)
            let media = try #require(posts.first?["media"] as? [[String: String]])
            #expect(media.map { $0["media_type"] } == ["IMAGE"])
            #expect(media.map { $0["alt_text"] } == ["Photo 0"])

            try await Self.processing(world, seconds: 0)
            let carousel = try await Self.post(world, channel: channel, "Two photos", media: try await Self.images(2, from: 1, world: world, storage: storage))
            // Items, then the carousel's own container (kept before it is published), then the publish.
            try await Self.publishToTheEnd(carousel, with: handler, in: world)
            #expect(try await world.reload(carousel).state == .published)
            posts = try await world.threadsPosts()
            #expect(posts.count == 2)
            #expect(posts.last?["media_type"] as? String == "CAROUSEL")
            #expect((posts.last?["media"] as? [[String: String]])?.count == 2)
        }
    }

    @Test("media Threads cannot process fails the post in words, and nothing is posted")
    func processingError() async throws {
        try await PublishingWorld.run { world in
            let storage = S3Storage(configuration: TestS3.configuration(), client: .shared)
            let channel = try await world.connectThreads()
            let handler = Self.handler(world, storage: storage)
            try await Self.processing(world, seconds: 0, error: "INVALID_ASPEC_RATIO")
            let post = try await Self.post(world, channel: channel, "Too wide", media: try await Self.images(1, world: world, storage: storage))
            try await Self.publishToTheEnd(post, with: handler, in: world)
            let failed = try await world.reload(post)
            #expect(failed.state == .failed)
            #expect(failed.error == "Threads could not process the media: the aspect ratio is not one Threads takes")
            #expect(try await Self.container(of: post, in: world) == nil)
            #expect(try await world.threadsPosts().isEmpty)
        }
    }

    @Test("a publish whose answer is lost is settled from the container's status and the account's threads: published once")
    func lostPublish() async throws {
        try await PublishingWorld.run { world in
            let storage = S3Storage(configuration: TestS3.configuration(), client: .shared)
            let channel = try await world.connectThreads()
            let handler = Self.handler(world, storage: storage)
            try await Self.processing(world, seconds: 0)
            let post = try await Self.post(world, channel: channel, "Did it go out?", media: try await Self.images(1, world: world, storage: storage))
            try await handler.handle(PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            // Once Threads has fetched the file, the publish call's answer gets lost.
            let container = try #require(try await Self.container(of: post, in: world))
            let token = try await world.openedCredentials(of: channel).accessToken
            for _ in 0..<50 {
                let status = try await world.sandbox.execute(uri: "/threads/v1.0/\(container)?fields=status&access_token=\(token)", method: .get) { $0.json["status"] as? String }
                if status == "FINISHED" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await world.fault("timeout_after_accept", platform: "threads", extra: ["delay": 6, "path": "/threads_publish"])
            try await handler.handle(PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil), context: Self.continuing)
            #expect(try await world.reload(post).state == .publishing)
            #expect(try await world.threadsPosts().count == 1)
            try await handler.handle(PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil), context: Self.continuing)
            let settled = try await world.reload(post)
            #expect(settled.state == .published, "\(settled.error ?? "")")
            let posts = try await world.threadsPosts()
            #expect(posts.count == 1)
            #expect(settled.platformPostID == posts.first?["id"] as? String)
        }
    }

    @Test("an expired token is renewed once and the post goes out; a token Threads no longer renews asks for a reconnect")
    func tokens() async throws {
        try await PublishingWorld.run { world in
            let channel = try await world.connectThreads()
            let account = try await world.externalID(of: channel)
            let before = try await world.openedCredentials(of: channel)
            #expect(before.expiresAt.map { $0.timeIntervalSinceNow > 59 * 86_400 } == true, "a long-lived token (60 days)")
            // Within a week of its end the token is renewed before use (Threads renews tokens a day old).
            try await world.sandbox.execute(uri: "/_sandbox/threads/accounts/\(account)/age-tokens", method: .post, body: jsonBody(["seconds": 55 * 86_400])) {
                #expect($0.status == .ok)
            }
            try await world.database.query("UPDATE integrations SET token_expires_at = now() + interval '5 days' WHERE id = \(channel)")
            let (renewedPost, renewedJob) = try await world.schedulePost("After the renewal", on: channel)
            try await world.handler.handle(renewedJob.job(requestID: nil), context: .first)
            #expect(try await world.reload(renewedPost).state == .published)
            let after = try await world.openedCredentials(of: channel)
            #expect(after.accessToken != before.accessToken)
            #expect(after.expiresAt.map { $0.timeIntervalSinceNow > 59 * 86_400 } == true)

            try await world.sandbox.execute(uri: "/_sandbox/threads/accounts/\(account)/expire-tokens", method: .post) { #expect($0.status == .noContent) }
            let (refused, refusedJob) = try await world.schedulePost("Never sent", on: channel)
            try await world.handler.handle(refusedJob.job(requestID: nil), context: .first)
            let failed = try await world.reload(refused)
            #expect(failed.state == .failed)
            #expect(failed.error?.contains("connect the account again") == true)
            #expect(try await world.channel(channel).state == "refresh_needed")
        }
    }

    @Test("Threads' refusals: a text Threads refuses fails in its words, the call limit waits")
    func refusals() async throws {
        try await PublishingWorld.run { world in
            let channel = try await world.connectThreads()
            let links = (1...6).map { "https://example.com/\($0)" }.joined(separator: " ")
            let (refused, refusedJob) = try await world.schedulePost("Six links: \(links)", on: channel)
            try await world.handler.handle(refusedJob.job(requestID: nil), context: .first)
            let failed = try await world.reload(refused)
            #expect(failed.state == .failed)
            #expect(failed.error?.contains("THREADS_API__LINK_LIMIT_EXCEEDED") == true)

            try await world.fault("rate_limit", platform: "threads")
            let (limited, limitedJob) = try await world.schedulePost("Later, then", on: channel)
            try await world.handler.handle(limitedJob.job(requestID: nil), context: .first)
            let waiting = try await world.reload(limited)
            #expect(waiting.state == .scheduled)
            #expect(waiting.error?.contains("Application request limit reached") == true)
        }
    }

    @Test("a published post is deleted from Threads; one already gone counts as deleted")
    func deletes() async throws {
        try await PublishingWorld.run { world in
            let channel = try await world.connectThreads()
            let (post, job) = try await world.schedulePost("Soon gone", on: channel)
            try await world.handler.handle(job.job(requestID: nil), context: .first)
            let published = try #require(try await world.reload(post).platformPostID)
            let provider = ThreadsProvider(http: world.platformHTTP, app: world.platforms.threads)
            let request = DeleteRequest(credentials: try await world.openedCredentials(of: channel), platformID: published, accountID: try await world.externalID(of: channel))
            try await provider.delete(request)
            #expect(try await world.threadsPosts().isEmpty)
            try await provider.delete(request)
        }
    }
}
