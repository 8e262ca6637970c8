@testable import ArkyraCore
import ArkyraTestSupport
import Foundation
import Testing

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
