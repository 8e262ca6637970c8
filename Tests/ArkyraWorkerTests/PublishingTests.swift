import ArkyraCore
import ArkyraSandbox
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

extension PublishingWorld {
    var handler: PublishJobHandler {
        let http = PlatformHTTP(client: .shared, timeout: .seconds(3), policy: OutboundURLPolicy(allowPrivateHosts: true))
        return PublishJobHandler(
            database: database, providers: ProviderRegistry.all(http: http, platforms: platforms),
            cipher: TokenCipher(keys: security.encryptionKeys), queue: queue, logger: TestEnvironment.logger
        )
    }
}

extension JobContext {
    static let first = JobContext(consumer: "worker-a", deliveries: 1, staleOwner: nil)
}

@Suite("Worker: publishing a post")
struct PublishingTests {
    @Test("a due post is published once, even when its job is delivered twice")
    func publishesOnce() async throws {
        try await PublishingWorld.run { fixture in
            let (post, job) = try await fixture.schedulePost()
            try await fixture.handler.handle(job.job(requestID: "r1"), context: .first)
            try await fixture.handler.handle(job.job(requestID: "r1"), context: .first)
            let published = try await fixture.reload(post)
            #expect(published.state == .published)
            #expect(published.platformPostID != nil)
            #expect(published.platformURL?.contains("/@user0/") == true)
            let requests = try await fixture.statusRequests()
            #expect(requests.count == 1)
            #expect(requests.first?["idempotency_key"] as? String == post.id.uuidString)
            // The claim records when publishing started, for operators (and the burst benchmark).
            let rows = try await fixture.database.query("SELECT attempt_started_at >= publish_at FROM posts WHERE id = \(post.id)")
            var startedAfterDue: [Bool] = []
            for try await value in rows.decode(Bool.self) { startedAfterDue.append(value) }
            #expect(startedAfterDue == [true])
        }
    }

    @Test("a failed publish leaves an in-app notification and announces the event to the organization")
    func notifiesFailure() async throws {
        try await PublishingWorld.run { fixture in
            let (post, job) = try await fixture.schedulePost()
            try await fixture.fault("invalid_token")
            let channel = EventPublisher.channel(prefix: fixture.redis.configuration.keyPrefix, organizationID: fixture.organizationID)
            let event = try await fixture.redis.subscribe(to: [channel]) { messages async throws -> String? in
                try await fixture.handler.handle(job.job(requestID: nil), context: .first)
                for await message in messages { return message.payload }
                return nil
            }
            let payload = try #require(event)
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let decoded = try decoder.decode(PostEvent.self, from: Data(payload.utf8))
            #expect(decoded.type == "post.failed")
            #expect(decoded.postID == post.id)
            let listed = try await NotificationRepository(logger: TestEnvironment.logger).list(organizationID: fixture.organizationID, client: fixture.database)
            #expect(Set(listed.map(\.kind)) == ["post.failed", "integration.refresh_needed"])
            #expect(listed.first { $0.kind == "post.failed" }?.postID == post.id)
            // The refused token leaves the channel waiting for a person; its next post fails without calling the platform.
            let channels = try await IntegrationRepository(logger: TestEnvironment.logger).list(organizationID: fixture.organizationID, client: fixture.database)
            #expect(channels.first?.state == .refreshNeeded)
            let (next, nextJob) = try await fixture.schedulePost()
            try await fixture.handler.handle(nextJob.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(next).error == "the channel needs to be reconnected")
        }
    }

    @Test("a due post of a channel disabled meanwhile fails in words without calling the platform")
    func disabledChannel() async throws {
        try await PublishingWorld.run { fixture in
            let (post, job) = try await fixture.schedulePost()
            try await fixture.database.query("UPDATE integrations SET state = 'disabled' WHERE id = \(fixture.channels[0])")
            try await fixture.handler.handle(job.job(requestID: nil), context: .first)
            let failed = try await fixture.reload(post)
            #expect(failed.state == .failed)
            #expect(failed.error == "the channel is disabled; enable it and schedule the post again")
            #expect(try await fixture.statusRequests().isEmpty)
        }
    }

    @Test("a rate limit puts the post back on the schedule for the platform's reset time")
    func rateLimited() async throws {
        try await PublishingWorld.run { fixture in
            let (post, job) = try await fixture.schedulePost()
            let before = Date()
            try await fixture.fault("rate_limit", extra: ["reset_in": 300])
            try await fixture.handler.handle(job.job(requestID: nil), context: .first)
            let handled = Date()
            let after = try await fixture.reload(post)
            #expect(after.state == .scheduled)
            // The platform's reset (whole seconds) is 300 s after it answered, which was between the two readings.
            let due = try #require(try await fixture.queue.dueTime(ofJob: post.id.uuidString))
            #expect(due >= before.addingTimeInterval(299) && due <= handled.addingTimeInterval(301), "\(due) for \(before)–\(handled)")
        }
    }

    @Test("platform failures end in the state a person needs to see; an unknown outcome is settled by resending with the same key")
    func failures() async throws {
        try await PublishingWorld.run(channels: 4) { fixture in
            let (refused, refusedJob) = try await fixture.schedulePost()
            try await fixture.fault("invalid_token")
            try await fixture.handler.handle(refusedJob.job(requestID: nil), context: .first)
            let refusedAfter = try await fixture.reload(refused)
            #expect(refusedAfter.state == .failed)
            #expect(refusedAfter.error?.contains("The access token is invalid") == true)

            // Accepted, but the answer came too late, or a 500 that may have come after the platform acted: the
            // post stays held, and its next job takes it over and resends it under the same idempotency key.
            let (accepted, acceptedJob) = try await fixture.schedulePost("accepted late", channel: 1)
            try await fixture.fault("timeout_after_accept", extra: ["delay": 6])
            try await fixture.handler.handle(acceptedJob.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(accepted).state == .publishing)
            let (crashed, crashedJob) = try await fixture.schedulePost("server error", channel: 2)
            try await fixture.fault("server_error")
            try await fixture.handler.handle(crashedJob.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(crashed).state == .publishing)
            let takeover = JobContext(consumer: "worker-a", deliveries: 2, staleOwner: "worker-a")
            try await fixture.handler.handle(acceptedJob.job(requestID: nil), context: takeover)
            try await fixture.handler.handle(crashedJob.job(requestID: nil), context: takeover)
            #expect(try await fixture.reload(accepted).state == .published)
            #expect(try await fixture.reload(crashed).state == .published)
            let texts = try await fixture.statuses().compactMap { $0["text"] as? String }
            #expect(texts.filter { $0 == "accepted late" }.count == 1)
            #expect(texts.filter { $0 == "server error" }.count == 1)

            let (tooLong, tooLongJob) = try await fixture.schedulePost(String(repeating: "a", count: 501), channel: 3)
            try await fixture.handler.handle(tooLongJob.job(requestID: nil), context: .first)
            let tooLongAfter = try await fixture.reload(tooLong)
            #expect(tooLongAfter.state == .failed)
            #expect(tooLongAfter.error == "Validation failed: Text character limit of 500 exceeded")
        }
    }

    @Test("a post held by a stopped worker is taken over and published once; the stale worker's write is fenced off")
    func takeOver() async throws {
        try await PublishingWorld.run { fixture in
            let (post, job) = try await fixture.schedulePost()
            let repository = PostRepository(logger: TestEnvironment.logger)
            let stale = try #require(try await repository.claimForPublishing(id: post.id, owner: "worker-dead", staleOwner: nil, client: fixture.database))
            #expect(stale.tookOver == false)
            // A live holder keeps the post: another delivery without a stale owner does nothing.
            try await fixture.handler.handle(job.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(post).state == .publishing)
            #expect(try await fixture.statusRequests().isEmpty)
            // Reclaimed from the dead worker: taken over and published with the same idempotency key.
            try await fixture.handler.handle(job.job(requestID: nil), context: JobContext(consumer: "worker-b", deliveries: 2, staleOwner: "worker-dead"))
            let published = try await fixture.reload(post)
            #expect(published.state == .published)
            #expect(published.attempt == 2)
            // The dead worker wakes up and reports a failure for its old attempt: nothing changes.
            let late = try await fixture.database.inTransaction(logger: TestEnvironment.logger) { connection in
                try await repository.markFinished(id: post.id, attempt: stale.post.attempt, state: .failed, error: "late", on: connection)
            }
            #expect(late == false)
            #expect(try await fixture.reload(post).state == .published)
            #expect(try await fixture.statusRequests().count == 1)
        }
    }

    @Test("publishing a daily post creates and schedules the next occurrence at the same local time")
    func recurring() async throws {
        try await PublishingWorld.run { fixture in
            let berlin = TimeZone(identifier: "Europe/Berlin")!
            let post = try await fixture.database.inTransaction(logger: TestEnvironment.logger) { connection in
                try await fixture.posts.createGroup(
                    organizationID: fixture.organizationID, authorID: fixture.userID, posts: [.init(integrationID: fixture.channels[0], content: "Daily")],
                    state: .scheduled, publishAt: Date(), timeZone: "Europe/Berlin", recurrence: Recurrence(unit: .day, every: 1), on: connection
                )[0]
            }
            try await fixture.handler.handle(PublishJob(postID: post.id, organizationID: fixture.organizationID).job(requestID: nil), context: .first)
            #expect(try await fixture.reload(post).state == .published)
            let rows = try await fixture.database.query(
                "SELECT id, publish_at FROM posts WHERE organization_id = \(fixture.organizationID) AND state = 'scheduled'"
            )
            var next: [(UUID, Date)] = []
            for try await row in rows.decode((UUID, Date).self) { next.append(row) }
            #expect(next.count == 1)
            let (nextID, nextAt) = try #require(next.first)
            #expect(nextAt == Recurrence(unit: .day, every: 1).next(after: post.publishAt!, in: berlin))
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = berlin
            #expect(calendar.component(.hour, from: nextAt) == calendar.component(.hour, from: post.publishAt!))
            #expect(try await fixture.queue.dueTime(ofJob: nextID.uuidString) != nil)
        }
    }

    @Test("a thread is published in order, each item replying to the one before; a failing item fails the rest")
    func threads() async throws {
        try await PublishingWorld.run(channels: 2) { fixture in
            func thread(_ channel: Int, _ texts: [String]) async throws -> [Post] {
                try await fixture.database.inTransaction(logger: TestEnvironment.logger) { connection in
                    try await fixture.posts.createGroup(
                        organizationID: fixture.organizationID, authorID: fixture.userID,
                        posts: [.init(integrationID: fixture.channels[channel], content: texts[0],
                                      thread: texts.dropFirst().map { .init(content: $0, delaySeconds: 0) })],
                        state: .scheduled, publishAt: Date(), timeZone: "UTC", on: connection
                    )
                }
            }
            let good = try await thread(0, ["one", "two", "three"])
            #expect(good.map(\.state) == [.scheduled, .waiting, .waiting])
            for item in good {
                try await fixture.handler.handle(PublishJob(postID: item.id, organizationID: fixture.organizationID).job(requestID: nil), context: .first)
            }
            let published = try await good.asyncMap { try await fixture.reload($0) }
            #expect(published.map(\.state) == [.published, .published, .published])
            let statuses = try await fixture.statuses()
            let byID = Dictionary(uniqueKeysWithValues: statuses.map { ($0["id"] as? String ?? "", $0) })
            #expect(byID[published[1].platformPostID ?? ""]?["in_reply_to_id"] as? String == published[0].platformPostID)
            #expect(byID[published[2].platformPostID ?? ""]?["in_reply_to_id"] as? String == published[1].platformPostID)

            let bad = try await thread(1, ["first", String(repeating: "x", count: 501), "third"])
            for item in bad.prefix(2) {
                try await fixture.handler.handle(PublishJob(postID: item.id, organizationID: fixture.organizationID).job(requestID: nil), context: .first)
            }
            let after = try await bad.asyncMap { try await fixture.reload($0) }
            #expect(after.map(\.state) == [.published, .failed, .failed])
            #expect(after[2].error == "an earlier item of this thread is failed")
        }
    }

    @Test("the running worker promotes a due job and publishes it")
    func serviceLoop() async throws {
        try await PublishingWorld.run { fixture in
            let configuration = WorkerConfiguration(
                service: TestEnvironment.service(database: fixture.databaseConfiguration, redis: fixture.redis.configuration),
                security: fixture.security, concurrency: 4, consumerName: "test-worker"
            )
            let worker = buildWorker(configuration: configuration, logger: TestEnvironment.logger)
            try await worker.test(.live) { admin in
                let (post, job) = try await fixture.schedulePost(at: Date().addingTimeInterval(0.5))
                try await fixture.queue.schedule(job.job(requestID: "loop"), at: post.publishAt!)
                var state = PostState.scheduled
                for _ in 0..<100 where state != .published {
                    try await Task.sleep(for: .milliseconds(100))
                    state = try await fixture.reload(post).state
                }
                #expect(state == .published)
                try await admin.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
                try await admin.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .ok)
                    let text = String(buffer: response.body)
                    #expect(text.contains(#"arkyra_queue_jobs{queue="publish",state="delayed"}"#))
                    #expect(text.contains("arkyra_queue_overdue_seconds"))
                }
            }
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
