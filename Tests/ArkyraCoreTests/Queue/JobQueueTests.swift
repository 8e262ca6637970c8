@testable import ArkyraCore
import ArkyraTestSupport
import Foundation
import Testing

@Suite("Job queue against the real Redis")
struct JobQueueTests {
    private func job(_ id: String) -> Job {
        Job(id: id, type: "test", data: ["n": id], requestID: "req-\(id)")
    }

    @Test("a delayed job is promoted only once it is due, then read and acknowledged")
    func delayedLifecycle() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            let queue = JobQueue(name: .publish, redis: redis)
            try await queue.prepare()
            try await queue.schedule(job("later"), at: Date().addingTimeInterval(3600))
            try await queue.schedule(job("now"), at: Date().addingTimeInterval(-1))
            let promotion = try await queue.promoteDue()
            #expect(promotion.promoted == 1)
            let wait = try #require(promotion.nextDueIn)
            #expect(wait > .seconds(3500) && wait <= .seconds(3600))
            let connection = try await redis.makeDedicatedConnection()
            let received = try await queue.receive(on: connection, consumer: "c1", count: 10, block: .milliseconds(100))
            #expect(received.map(\.job) == [job("now")])
            #expect(try await queue.acknowledge(entryID: received[0].entryID, consumer: "c1"))
            #expect(try await redis.xlen(queue.keys.stream) == 0)
            #expect(try await queue.receive(on: connection, consumer: "c1", count: 10, block: .milliseconds(50)).isEmpty)
            await connection.close()
        }
    }

    @Test("scheduling the same id twice keeps one job at the new time; cancel removes it")
    func deduplicateAndCancel() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            let queue = JobQueue(name: .publish, redis: redis)
            let first = Date().addingTimeInterval(600)
            let second = Date().addingTimeInterval(1200)
            try await queue.schedule(job("a"), at: first)
            try await queue.schedule(job("a"), at: second)
            #expect(try await redis.zcard(queue.keys.delayed) == 1)
            let due = try #require(try await queue.dueTime(ofJob: "a"))
            #expect(abs(due.timeIntervalSince(second)) < 0.01)
            #expect(try await queue.cancel(jobID: "a"))
            #expect(try await queue.cancel(jobID: "a") == false)
            #expect(try await queue.promoteDue().nextDueIn == nil)
        }
    }

    @Test("keys of one queue share a hash tag")
    func hashTags() {
        let keys = QueueKeys(prefix: "arkyra", queue: .publish)
        for key in [keys.delayed, keys.payloads, keys.stream] {
            #expect(key.hasPrefix("arkyra:{publish}:"))
        }
    }

    @Test("many concurrent promoters never promote a job twice")
    func concurrentPromoters() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            let queue = JobQueue(name: .publish, redis: redis)
            for index in 0..<500 {
                try await queue.schedule(job("j\(index)"), at: Date().addingTimeInterval(-1))
            }
            let promoted = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 { group.addTask { try await queue.promoteDue(limit: 50).promoted } }
                return try await group.reduce(0, +)
            }
            let rest = try await queue.promoteDue().promoted
            #expect(promoted + rest == 500)
            #expect(try await redis.xlen(queue.keys.stream) == 500)
        }
    }
}

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

@Suite("Job queue wake-ups against the real Redis")
struct JobQueueWakeTests {
    @Test("scheduling a new earliest job announces it on the wake channel; a later one does not")
    func announcesEarliest() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            let queue = JobQueue(name: .publish, redis: redis)
            let announcements = try await redis.subscribe(to: [queue.keys.wakeChannel]) { messages async throws in
                try await queue.schedule(Job(id: "a", type: "t", data: [:], requestID: nil), at: Date().addingTimeInterval(60))
                try await queue.schedule(Job(id: "b", type: "t", data: [:], requestID: nil), at: Date().addingTimeInterval(120))
                try await queue.schedule(Job(id: "c", type: "t", data: [:], requestID: nil), at: Date().addingTimeInterval(30))
                try await redis.publish(queue.keys.wakeChannel, "end")
                var received: [String] = []
                for await message in messages {
                    received.append(message.payload)
                    if message.payload == "end" { break }
                }
                return received
            }
            #expect(announcements.count == 3)
        }
    }
}

@Suite("Job encoding")
struct JobEncodingTests {
    @Test("the hand-written JSON round-trips quotes, backslashes, control characters and non-ASCII text")
    func roundTrip() throws {
        let job = Job(
            id: "id \"quoted\"", type: "t\\ype", data: ["text": "line\nbreak\ttab\u{01}é🙂", "b": ""], requestID: "r-1",
            attempt: 3, staleOwner: "worker \"a\""
        )
        let text = try job.encoded()
        #expect(try JSONSerialization.jsonObject(with: Data(text.utf8)) is [String: Any])
        #expect(try Job.decode(text) == job)
        let plain = Job(id: "x", type: "y", data: [:], requestID: nil)
        #expect(try Job.decode(try plain.encoded()) == plain)
    }
}

@Suite("Job queue depth against the real Redis")
struct JobQueueDepthTests {
    @Test("depth counts delayed, ready and pending jobs and how overdue the oldest delayed one is")
    func depth() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            let queue = JobQueue(name: .publish, redis: redis)
            #expect(try await queue.depth() == JobQueue.Depth(delayed: 0, ready: 0, pending: 0, overdueSeconds: 0))
            try await queue.prepare()
            try await queue.schedule(Job(id: "late", type: "t", data: [:], requestID: nil), at: Date().addingTimeInterval(-30))
            try await queue.schedule(Job(id: "later", type: "t", data: [:], requestID: nil), at: Date().addingTimeInterval(60))
            try await queue.enqueue([Job(id: "now", type: "t", data: [:], requestID: nil)])
            let connection = try await redis.makeDedicatedConnection()
            _ = try await queue.receive(on: connection, consumer: "c", count: 1, block: .milliseconds(50))
            await connection.close()
            let depth = try await queue.depth()
            #expect(depth.delayed == 2)
            #expect(depth.ready == 1)
            #expect(depth.pending == 1)
            #expect(depth.overdueSeconds >= 29 && depth.overdueSeconds < 40)
        }
    }
}
