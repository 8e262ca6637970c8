import ArkyraCore
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import Testing

@Suite("Worker: publishing to Reddit (text posts titled by their first line, threads as comments)")
struct RedditPublishingTests {
    @Test("a thread in a subreddit: the post's first line its title, the rest its body, later items comments; counts read; deleted")
    func thread() async throws {
        try await PublishingWorld.run { world in
            let channel = try await world.connectReddit()
            let items = try await FacebookPublishingTests.post(world, channel: channel, "We shipped v2\nIt is faster and smaller.", thread: ["Ask us anything"])
            for item in items {
                try await world.handler.handle(PublishJob(postID: item.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            }
            let published = try await items.asyncMap { try await world.reload($0) }
            #expect(published.map(\.state) == [.published, .published], "\(published.map { $0.error ?? "" })")
            let things = try await world.sandbox.execute(uri: "/_sandbox/reddit/things", method: .get) { $0.json["things"] as? [[String: Any]] ?? [] }
            #expect(things.map { $0["title"] as? String } == ["We shipped v2", nil])
            #expect(things.map { $0["text"] as? String } == ["It is faster and smaller.", "Ask us anything"])
            #expect(things.first?["subreddit"] as? String == "arkyra_sandbox")
            #expect(things.last?["link_id"] as? String == published[0].platformPostID)
            #expect(published[0].platformURL?.hasPrefix("https://www.reddit.com/r/arkyra_sandbox/comments/") == true)

            let post = try #require(published[0].platformPostID)
            try await world.sandbox.execute(uri: "/_sandbox/reddit/things/\(post)/ups", method: .post, body: jsonBody(["ups": 42])) { #expect($0.status == .noContent) }
            try await world.metricsReader.handle(MetricsJob(postID: items[0].id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            #expect(try await world.storedMetrics(of: items[0])?.metrics.counts == ["likes": 42, "score": 42, "replies": 1])

            let provider = RedditProvider(http: world.platformHTTP, app: world.platforms.reddit)
            let credentials = try await world.openedCredentials(of: channel)
            try await provider.delete(DeleteRequest(credentials: credentials, platformID: try #require(published[1].platformPostID), accountID: nil))
            try await provider.delete(DeleteRequest(credentials: credentials, platformID: post, accountID: nil))
            #expect(try await world.sandbox.execute(uri: "/_sandbox/reddit/things", method: .get) { $0.json["things"] as? [[String: Any]] ?? [] }.isEmpty)
        }
    }

    @Test("Reddit's refusals in its words: a subreddit the account is not in fails the post; its RATELIMIT waits the minutes it names")
    func refusals() async throws {
        try await PublishingWorld.run { world in
            let channel = try await world.connectReddit()
            try await world.database.query("UPDATE integrations SET external_id = 'nowhere/ada_reddit' WHERE id = \(channel)")
            let (refused, refusedJob) = try await world.schedulePost("Hello\nthere", on: channel)
            try await world.handler.handle(refusedJob.job(requestID: nil), context: .first)
            let failed = try await world.reload(refused)
            #expect(failed.state == .failed)
            #expect(failed.error == "Reddit refused: that subreddit doesn't exist (SUBREDDIT_NOEXIST)")

            try await world.database.query("UPDATE integrations SET external_id = 'arkyra_sandbox/ada_reddit' WHERE id = \(channel)")
            for index in 0..<10 {
                let (post, job) = try await world.schedulePost("Post \(index)\nbody", on: channel)
                try await world.handler.handle(job.job(requestID: nil), context: .first)
                #expect(try await world.reload(post).state == .published)
            }
            let (limited, limitedJob) = try await world.schedulePost("One too many\nbody", on: channel)
            try await world.handler.handle(limitedJob.job(requestID: nil), context: .first)
            let waiting = try await world.reload(limited)
            #expect(waiting.state == .scheduled)
            #expect(waiting.error?.contains("Take a break for") == true)
        }
    }
}
