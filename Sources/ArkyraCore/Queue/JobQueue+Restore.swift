import Foundation

extension JobQueue {
    /// Adds a job only when it is not waiting in the delayed set already: the reconciler's way of
    /// re-creating jobs Redis lost without moving the ones it still has.
    static let restoreScript = RedisScript("""
        if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        return 1
        """)

    /// Restores each job that is missing from the delayed set, due at its date; returns how many were missing.
    package func restore(_ jobs: [(job: Job, dueAt: Date)]) async throws -> Int {
        guard !jobs.isEmpty else { return 0 }
        // Loads the script once, then sends every call in one pipeline.
        try await redis.load(Self.restoreScript)
        let commands = try jobs.map { entry in
            RedisCommand("EVALSHA", [
                .string(Self.restoreScript.sha1), "2", .string(keys.delayed), .string(keys.payloads),
                .string(entry.job.id), .string(String(entry.dueAt.millisecondsSince1970)), .string(try entry.job.encoded()),
            ])
        }
        var restored = 0
        for result in try await redis.pipeline(commands) {
            restored += try result.get().int ?? 0
        }
        if restored > 0 { try await redis.publish(keys.wakeChannel, "restored") }
        return restored
    }
}
