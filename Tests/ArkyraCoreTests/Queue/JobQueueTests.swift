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

    @Test("restore adds only missing jobs; a future job whose time came meanwhile is left to the overdue pass")
    func restoreSkipsJustPromoted() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            let queue = JobQueue(name: .publish, redis: redis)
            let later = Date().addingTimeInterval(600)
            try await queue.schedule(job("waiting"), at: later)
            let restored = try await queue.restore([
                .init(job: job("waiting"), dueAt: later.addingTimeInterval(60), future: true),
                .init(job: job("lost"), dueAt: later, future: true),
                // Read as future, but Redis's clock has passed it: the promoter may have moved it already.
                .init(job: job("promoted"), dueAt: Date().addingTimeInterval(-0.5), future: true),
                .init(job: job("overdue"), dueAt: Date().addingTimeInterval(-0.5)),
            ])
            #expect(restored == 2)
            #expect(try await redis.zcard(queue.keys.delayed) == 3)
            #expect(try await queue.dueTime(ofJob: "promoted") == nil)
            #expect(try await queue.dueTime(ofJob: "overdue") != nil)
            let waiting = try #require(try await queue.dueTime(ofJob: "waiting"))
            #expect(abs(waiting.timeIntervalSince(later)) < 0.01, "an existing job keeps its time")
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
