import ArkyraCore
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import PostgresNIO
import Testing

@Suite("Worker: publishing to a platform that cannot be reached")
struct UnreachablePlatformTests {
    @Test("each retry is counted on the post, so a job re-created with no history still ends at the retry limit")
    func retriesCountOnThePost() async throws {
        try await PublishingWorld.run { fixture in
            // Nothing listens on port 9 of the loopback: connecting is refused.
            try await fixture.database.query("UPDATE integrations SET instance_url = 'http://127.0.0.1:9/mastodon'")
            let (post, job) = try await fixture.schedulePost()

            try await fixture.handler.handle(job.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(post).state == .scheduled)
            #expect(try await retries(of: post, fixture) == 1)

            // Three more retries have happened; then Redis lost the job and the reconciler made a fresh one
            // (attempt 0). The fresh job must not get another five tries.
            try await fixture.database.query("UPDATE posts SET unavailable_retries = 4 WHERE id = \(post.id)")
            let recreated = PublishJob(postID: post.id, organizationID: fixture.organizationID)
            #expect(recreated.attempt == 0)
            try await fixture.handler.handle(recreated.job(requestID: nil), context: .first)
            let after = try await fixture.reload(post)
            #expect(after.state == .failed)
            #expect(after.error?.hasPrefix("the platform stayed unreachable") == true)
        }
    }

    private func retries(of post: Post, _ fixture: PublishingWorld) async throws -> Int {
        let rows = try await fixture.database.query("SELECT unavailable_retries FROM posts WHERE id = \(post.id)")
        for try await count in rows.decode(Int.self) { return count }
        return -1
    }
}
