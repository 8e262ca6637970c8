import ArkyraCore
@testable import ArkyraCron
import ArkyraTestSupport
import Foundation
import Testing

@Suite("Cron: reading recently published posts' counts again")
struct MetricsCollectionTests {
    @Test("posts published in the last week are read a quarter of an hour after publishing and hourly after; older, fresh or unsupported ones are not")
    func collects() async throws {
        try await PublishingWorld.run { world in
            func published(_ text: String, ago: TimeInterval) async throws -> UUID {
                let (post, _) = try await world.schedulePost(text)
                try await world.database.query("""
                    UPDATE posts SET state = 'published', platform_post_id = \(text), published_at = now() - make_interval(secs => \(ago)) WHERE id = \(post.id)
                    """)
                return post.id
            }
            let justNow = try await published("1", ago: 60)
            let anHourAgo = try await published("2", ago: 3600)
            let lastMonth = try await published("3", ago: 30 * 86_400)
            let readRecently = try await published("4", ago: 7200)
            let readLongAgo = try await published("5", ago: 7200)
            try await world.database.query("""
                INSERT INTO post_metrics (post_id, organization_id, counts, fetched_at, updated_at)
                VALUES (\(readRecently), \(world.organizationID), '{}', now(), now() - interval '5 minutes'),
                       (\(readLongAgo), \(world.organizationID), '{}', now(), now() - interval '2 hours')
                """)
            let queue = JobQueue(name: .publish, redis: world.redis)
            let collection = MetricsCollection(database: world.database, queue: queue, platforms: ["mastodon"], logger: TestEnvironment.logger)
            #expect(try await collection.collect() == 2)
            func waiting(_ id: UUID) async throws -> Bool {
                try await queue.dueTime(ofJob: MetricsJob(postID: id, organizationID: world.organizationID).job(requestID: nil).id) != nil
            }
            #expect(try await waiting(anHourAgo))
            #expect(try await waiting(readLongAgo))
            for id in [justNow, lastMonth, readRecently] { #expect(try await !waiting(id)) }
            let elsewhere = MetricsCollection(database: world.database, queue: queue, platforms: ["x"], logger: TestEnvironment.logger)
            #expect(try await elsewhere.collect() == 0, "the channel is a Mastodon one")
        }
    }
}
