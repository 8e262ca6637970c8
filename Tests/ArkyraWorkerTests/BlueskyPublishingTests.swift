import ArkyraCore
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import PostgresNIO
import Testing

@Suite("Worker: publishing to Bluesky (expiring tokens, unknown outcomes)")
struct BlueskyPublishingTests {
    @Test("an expired token is refreshed once, the post published, and the rotated tokens stored")
    func refreshesExpiredToken() async throws {
        try await PublishingWorld.run { fixture in
            let channel = try await fixture.connectBluesky()
            let before = try await fixture.channel(channel)
            try await fixture.control("bluesky/accounts/ada.test/expire-tokens")
            let (post, job) = try await fixture.schedulePost("Fresh tokens", on: channel)
            try await fixture.handler.handle(job.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(post).state == .published)
            #expect(try await fixture.blueskyCalls() == [
                "com.atproto.server.createSession", "com.atproto.repo.createRecord", "com.atproto.server.refreshSession", "com.atproto.repo.createRecord",
            ])
            let after = try await fixture.channel(channel)
            #expect(after.state == "connected")
            #expect(after.credentials.encryptedAccessToken != before.credentials.encryptedAccessToken)
            #expect(after.credentials.encryptedRefreshToken != before.credentials.encryptedRefreshToken)
            // The next post uses the stored tokens without refreshing again.
            let (next, nextJob) = try await fixture.schedulePost("Second", on: channel)
            try await fixture.handler.handle(nextJob.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(next).state == .published)
            #expect(try await fixture.blueskyCalls().filter { $0 == "com.atproto.server.refreshSession" }.count == 1)
        }
    }

    @Test("links, mentions (resolved to DIDs) and hashtags become facets over the right bytes; an unknown handle stays text")
    func facets() async throws {
        try await PublishingWorld.run { fixture in
            let channel = try await fixture.connectBluesky()
            let bob = try await fixture.sandbox.execute(uri: "/_sandbox/bluesky/accounts", method: .post, body: jsonBody(["handle": "bob.test", "password": "x"])) {
                try #require($0.json["did"] as? String)
            }
            let text = "🎉 Thanks @bob.test and @nobody.test, read https://example.com/launch. #launch"
            let (post, job) = try await fixture.schedulePost(text, on: channel)
            try await fixture.handler.handle(job.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(post).state == .published)
            let record = try #require(try await fixture.blueskyRecords().first?["value"] as? [String: Any])
            let facets = try #require(record["facets"] as? [[String: Any]])
            let bytes = Array(text.utf8)
            let found = facets.map { facet -> (String, [String: Any]) in
                let index = facet["index"] as? [String: Any] ?? [:]
                let range = (index["byteStart"] as? Int ?? 0)..<(index["byteEnd"] as? Int ?? 0)
                return (String(decoding: bytes[range], as: UTF8.self), (facet["features"] as? [[String: Any]])?.first ?? [:])
            }
            #expect(found.map(\.0) == ["@bob.test", "https://example.com/launch", "#launch"])
            #expect(found[0].1["did"] as? String == bob)
            #expect(found[1].1["uri"] as? String == "https://example.com/launch")
            #expect(found[2].1["tag"] as? String == "launch")
        }
    }

    @Test("a token about to expire is refreshed before publishing")
    func refreshesBeforeExpiry() async throws {
        try await PublishingWorld.run { fixture in
            let channel = try await fixture.connectBluesky()
            _ = try await fixture.database.query("UPDATE integrations SET token_expires_at = now() + interval '30 seconds' WHERE id = \(channel)")
            let (post, job) = try await fixture.schedulePost("Ahead of time", on: channel)
            try await fixture.handler.handle(job.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(post).state == .published)
            #expect(try await fixture.blueskyCalls() == ["com.atproto.server.createSession", "com.atproto.server.refreshSession", "com.atproto.repo.createRecord"])
            #expect(try await fixture.channel(channel).credentials.expiresAt.map { $0.timeIntervalSinceNow > 3600 } == true)
        }
    }

    @Test("two workers needing a refresh at once refresh once; no row lock is held while the platform answers")
    func oneRefreshNoLock() async throws {
        try await PublishingWorld.run { fixture in
            let channel = try await fixture.connectBluesky()
            _ = try await fixture.database.query("UPDATE integrations SET token_expires_at = now() + interval '30 seconds' WHERE id = \(channel)")
            let (first, firstJob) = try await fixture.schedulePost("First", on: channel)
            let (second, secondJob) = try await fixture.schedulePost("Second", on: channel)
            // The refresh takes two seconds to answer.
            try await fixture.fault("slow", platform: "bluesky", extra: ["delay": 2])
            let other = JobContext(consumer: "worker-b", deliveries: 1, staleOwner: nil)
            async let a: Void = fixture.handler.handle(firstJob.job(requestID: nil), context: .first)
            async let b: Void = fixture.handler.handle(secondJob.job(requestID: nil), context: other)
            try await Task.sleep(for: .milliseconds(700))
            // Meanwhile the channel's row can be locked at once: nobody holds it across the HTTP call.
            try await fixture.database.inTransaction(logger: TestEnvironment.logger) { connection in
                _ = try await connection.query("SELECT id FROM integrations WHERE id = \(channel) FOR UPDATE NOWAIT")
            }
            _ = try await (a, b)
            #expect(try await fixture.reload(first).state == .published)
            #expect(try await fixture.reload(second).state == .published)
            #expect(try await fixture.blueskyCalls().filter { $0 == "com.atproto.server.refreshSession" }.count == 1)
        }
    }

    @Test("a refused refresh fails the post, marks the channel refresh_needed and tells the organization")
    func refusedRefresh() async throws {
        try await PublishingWorld.run { fixture in
            let channel = try await fixture.connectBluesky()
            try await fixture.control("bluesky/accounts/ada.test/revoke-sessions")
            let (post, job) = try await fixture.schedulePost("Never", on: channel)
            try await fixture.handler.handle(job.job(requestID: nil), context: .first)
            let failed = try await fixture.reload(post)
            #expect(failed.state == .failed)
            #expect(failed.error?.contains("Token has been revoked") == true)
            #expect(try await fixture.channel(channel).state == "refresh_needed")
            let kinds = try await NotificationRepository(logger: TestEnvironment.logger).list(organizationID: fixture.organizationID, client: fixture.database).map(\.kind)
            #expect(kinds.contains("integration.refresh_needed"))
            #expect(try await fixture.blueskyRecords().isEmpty)
        }
    }

    @Test("a server error while refreshing leaves the channel connected and tries again later")
    func transientRefreshFailure() async throws {
        try await PublishingWorld.run { fixture in
            let channel = try await fixture.connectBluesky()
            try await fixture.control("bluesky/accounts/ada.test/expire-tokens")
            try await fixture.fault("server_error", platform: "bluesky")
            let (post, job) = try await fixture.schedulePost("Later", on: channel)
            try await fixture.handler.handle(job.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(post).state == .scheduled)
            #expect(try await fixture.channel(channel).state == "connected")
            #expect(try await fixture.queue.dueTime(ofJob: post.id.uuidString) != nil)
            // The retry refreshes and publishes.
            try await fixture.handler.handle(PublishJob(postID: post.id, organizationID: fixture.organizationID, attempt: 1).job(requestID: nil), context: .first)
            #expect(try await fixture.reload(post).state == .published)
            #expect(try await fixture.blueskyRecords().count == 1)
        }
    }

    @Test("after a timeout once the platform had accepted, the post is looked up later and recorded, never posted twice")
    func unknownOutcomeIsLookedUp() async throws {
        try await PublishingWorld.run { fixture in
            let channel = try await fixture.connectBluesky()
            try await fixture.fault("timeout_after_accept", platform: "bluesky", extra: ["delay": 6])
            let (post, job) = try await fixture.schedulePost("Did it go out?", on: channel)
            try await fixture.handler.handle(job.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(post).state == .publishing)
            let lookupAt = try #require(try await fixture.queue.dueTime(ofJob: post.id.uuidString))
            #expect(lookupAt.timeIntervalSinceNow > 20)
            // The scheduled job runs as a takeover of this worker's own attempt: it finds the post.
            try await fixture.handler.handle(
                PublishJob(postID: post.id, organizationID: fixture.organizationID, attempt: 1).job(requestID: nil),
                context: JobContext(consumer: "worker-b", deliveries: 1, staleOwner: JobContext.first.consumer)
            )
            let published = try await fixture.reload(post)
            #expect(published.state == .published)
            let records = try await fixture.blueskyRecords()
            #expect(records.count == 1)
            #expect(published.platformPostID == records.first?["uri"] as? String)
        }
    }

    @Test("a post taken over from a stopped worker is published when the platform does not have it")
    func takeOverPublishesWhenAbsent() async throws {
        try await PublishingWorld.run { fixture in
            let channel = try await fixture.connectBluesky()
            let (post, job) = try await fixture.schedulePost("Crash before sending", on: channel)
            _ = try #require(try await fixture.posts.claimForPublishing(id: post.id, owner: "worker-dead", staleOwner: nil, client: fixture.database))
            try await fixture.handler.handle(job.job(requestID: nil), context: JobContext(consumer: "worker-b", deliveries: 2, staleOwner: "worker-dead"))
            #expect(try await fixture.reload(post).state == .published)
            #expect(try await fixture.blueskyRecords().count == 1)
            #expect(try await fixture.blueskyCalls().suffix(2) == ["com.atproto.repo.getRecord", "com.atproto.repo.createRecord"])
        }
    }
}
