@testable import ArkyraCore
import ArkyraTestSupport
import Foundation
import Testing

@Suite("Job queue leases against the real Redis")
struct JobQueueLeaseTests {
    private func delivered(_ queue: JobQueue, _ redis: RedisClient, consumer: String) async throws -> ReceivedJob {
        try await queue.schedule(Job(id: "j1", type: "test", data: [:], requestID: nil), at: Date().addingTimeInterval(-1))
        _ = try await queue.promoteDue()
        let connection = try await redis.makeDedicatedConnection()
        let received = try await queue.receive(on: connection, consumer: consumer, count: 1, block: .milliseconds(100))
        await connection.close()
        return try #require(received.first)
    }

    /// Makes Redis see the entry as idle for `idle` without waiting that long (XCLAIM's IDLE option, to the
    /// same holder), so that lease expiry is tested without sleeping.
    private func age(_ entryID: String, of queue: JobQueue, holder: String, idle: Duration) async throws {
        _ = try await queue.redis.send(RedisCommand(
            "XCLAIM", .string(queue.keys.stream), .string(queue.keys.group), .string(holder), "0", .string(entryID),
            "IDLE", .string(String(idle.milliseconds)), "JUSTID"
        ))
    }

    @Test("an entry whose holder stops renewing is reclaimed by another consumer, and the old holder is fenced off")
    func reclaimStale() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            let queue = JobQueue(name: .publish, redis: redis)
            try await queue.prepare()
            let held = try await delivered(queue, redis, consumer: "a")
            // Idle 2 s of a 30 s lease: still held (the margin keeps a loaded machine's pauses out of it).
            try await age(held.entryID, of: queue, holder: "a", idle: .seconds(2))
            #expect(try await queue.reclaim(consumer: "b", leaseDuration: .seconds(30)).isEmpty)
            try await age(held.entryID, of: queue, holder: "a", idle: .seconds(31))
            let reclaimed = try await queue.reclaim(consumer: "b", leaseDuration: .seconds(30))
            #expect(reclaimed.map(\.entryID) == [held.entryID])
            #expect(reclaimed.first?.previousOwner == "a")
            #expect(reclaimed.first?.deliveries == 2)
            #expect(reclaimed.first?.job.id == "j1")
            #expect(try await queue.heartbeat(entryIDs: [held.entryID], consumer: "a") == [held.entryID])
            #expect(try await queue.acknowledge(entryID: held.entryID, consumer: "a") == false)
            #expect(try await queue.acknowledge(entryID: held.entryID, consumer: "b"))
            #expect(try await queue.pendingCount() == 0)
        }
    }

    @Test("a holder that renews its lease keeps the entry")
    func heartbeatKeepsLease() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            let queue = JobQueue(name: .publish, redis: redis)
            try await queue.prepare()
            let held = try await delivered(queue, redis, consumer: "a")
            for _ in 0..<3 {
                try await age(held.entryID, of: queue, holder: "a", idle: .seconds(120))
                #expect(try await queue.heartbeat(entryIDs: [held.entryID], consumer: "a").isEmpty)
                #expect(try await queue.reclaim(consumer: "b", leaseDuration: .seconds(60)).isEmpty)
            }
            #expect(try await queue.acknowledge(entryID: held.entryID, consumer: "a"))
        }
    }
}
