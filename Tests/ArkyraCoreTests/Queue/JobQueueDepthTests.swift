@testable import ArkyraCore
import ArkyraTestSupport
import Foundation
import Testing

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
