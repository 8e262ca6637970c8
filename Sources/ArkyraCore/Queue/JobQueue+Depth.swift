import Foundation

extension JobQueue {
    /// How much work a queue holds and how late it is.
    package struct Depth: Sendable, Equatable {
        /// Jobs waiting for their time.
        package var delayed: Int
        /// Jobs in the stream (ready, or held by a worker).
        package var ready: Int
        /// Jobs held by a worker and not yet acknowledged.
        package var pending: Int
        /// How long the most overdue delayed job has been due (zero when none is).
        package var overdueSeconds: Double
    }

    /// The queue's depth, read in one pipeline.
    package func depth(now: Date = Date()) async throws -> Depth {
        let replies = try await redis.pipeline([
            RedisCommand("ZCARD", .string(keys.delayed)),
            RedisCommand("XLEN", .string(keys.stream)),
            RedisCommand("XPENDING", .string(keys.stream), .string(keys.group)),
            RedisCommand("ZRANGE", .string(keys.delayed), "0", "0", "WITHSCORES"),
        ])
        let delayed = try replies[0].get().int ?? 0
        let ready = try replies[1].get().int ?? 0
        // XPENDING fails with NOGROUP before the first consumer prepared the queue: nothing is pending then.
        let pending = (try? replies[2].get().elements?.first?.int) ?? 0
        // RESP3 answers [[member, score]], RESP2 [member, score]: flatten either to [member, score].
        let flat = try replies[3].get().elements?.flatMap { $0.elements ?? [$0] } ?? []
        var overdue = 0.0
        if flat.count >= 2 {
            let score: Double?
            if case .double(let value) = flat[1] { score = value } else { score = flat[1].string.flatMap(Double.init) }
            if let score { overdue = max(0, now.timeIntervalSince1970 - score / 1000) }
        }
        return Depth(delayed: delayed, ready: ready, pending: pending, overdueSeconds: overdue)
    }
}
