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

    @Test("an entry whose holder stops renewing is reclaimed by another consumer, and the old holder is fenced off")
    func reclaimStale() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            let queue = JobQueue(name: .publish, redis: redis)
            try await queue.prepare()
            let held = try await delivered(queue, redis, consumer: "a")
            #expect(try await queue.reclaim(consumer: "b", leaseDuration: .seconds(3)).isEmpty)
            try await Task.sleep(for: .milliseconds(600))
            let reclaimed = try await queue.reclaim(consumer: "b", leaseDuration: .milliseconds(500))
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
            for _ in 0..<6 {
                try await Task.sleep(for: .milliseconds(100))
                #expect(try await queue.heartbeat(entryIDs: [held.entryID], consumer: "a").isEmpty)
                #expect(try await queue.reclaim(consumer: "b", leaseDuration: .seconds(1)).isEmpty)
            }
            #expect(try await queue.acknowledge(entryID: held.entryID, consumer: "a"))
        }
    }
}
