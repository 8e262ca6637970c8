import ArkyraCore
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import PostgresNIO
import Testing

@Suite("Worker: publishing to a platform that rate-limits")
struct RateLimitedPublishingTests {
    @Test("a 429 with a reset of 0 waits Mastodon's 5-minute window, and the channel's other due post waits without asking")
    func resetZero() async throws {
        try await PublishingWorld.run { fixture in
            let (first, firstJob) = try await fixture.schedulePost("first")
            let (second, secondJob) = try await fixture.schedulePost("second")
            try await fixture.fault("rate_limit", count: 10, extra: ["reset_in": 0])

            try await fixture.handler.handle(firstJob.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(first).state == .scheduled)
            let firstDue = try #require(try await fixture.queue.dueTime(ofJob: first.id.uuidString))
            #expect(firstDue.timeIntervalSinceNow > 290)
            #expect(try await fixture.statusRequests().count == 1)

            try await fixture.handler.handle(secondJob.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(second).state == .scheduled)
            let secondDue = try #require(try await fixture.queue.dueTime(ofJob: second.id.uuidString))
            #expect(secondDue >= firstDue.addingTimeInterval(-1))
            #expect(try await fixture.statusRequests().count == 1, "the second post must not ask the platform while the channel is limited")
        }
    }

    @Test("a post rate limited for longer than the cap fails with a message that says so")
    func givesUp() async throws {
        try await PublishingWorld.run { fixture in
            let (post, job) = try await fixture.schedulePost()
            try await fixture.fault("rate_limit", count: 10, extra: ["reset_in": 0])
            try await fixture.handler.handle(job.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(post).state == .scheduled)
            // Seven hours of refusals so far; the channel's own wait has passed.
            try await fixture.database.query("UPDATE posts SET rate_limited_since = now() - interval '7 hours' WHERE id = \(post.id)")
            try await fixture.database.query("UPDATE integrations SET rate_limited_until = NULL")
            try await fixture.handler.handle(job.job(requestID: nil), context: .first)
            let after = try await fixture.reload(post)
            #expect(after.state == .failed)
            #expect(after.error?.contains("rate limited") == true)
            #expect(try await fixture.statusRequests().count == 2)
        }
    }
}
