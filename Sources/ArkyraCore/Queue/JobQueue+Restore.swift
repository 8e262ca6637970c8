import Foundation

extension JobQueue {
    /// Adds a job only when it is not waiting in the delayed set already: the reconciler's way of
    /// re-creating jobs Redis lost without moving the ones it still has. A job restored as a future one
    /// (ARGV[4] = 1) whose due time Redis's clock has reached meanwhile is left out: the promoter may just have
    /// moved it into the stream, so its absence proves nothing; a later pass sees it as overdue.
    static let restoreScript = RedisScript("""
        if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
        if ARGV[4] == '1' then
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
            if tonumber(ARGV[2]) <= now then return 0 end
        end
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        return 1
        """)

    /// One job to restore: due at `dueAt`; `future` when it was not yet due as the caller read its source of
    /// truth (it is then restored only while Redis's clock agrees).
    package struct Restoration: Sendable {
        package var job: Job
        package var dueAt: Date
        package var future: Bool

        package init(job: Job, dueAt: Date, future: Bool = false) {
            self.job = job
            self.dueAt = dueAt
            self.future = future
        }
    }

    /// Restores each job that is missing from the delayed set, due at its date; returns how many were missing.
    package func restore(_ jobs: [Restoration]) async throws -> Int {
        guard !jobs.isEmpty else { return 0 }
        // Loads the script once, then sends every call in one pipeline. When Redis forgot the script meanwhile
        // (a restart or FLUSHALL, the very events the reconciler mends), the pipeline goes again with the
        // script's source: each call adds only what is missing, so repeating one is harmless.
        try await redis.load(Self.restoreScript)
        var results = try await redis.pipeline(try commands(for: jobs, call: "EVALSHA", script: Self.restoreScript.sha1))
        if results.contains(where: { if case .failure(let error as RedisError) = $0 { error.serverPrefix == "NOSCRIPT" } else { false } }) {
            results = try await redis.pipeline(try commands(for: jobs, call: "EVAL", script: Self.restoreScript.source))
        }
        var restored = 0
        for result in results {
            restored += try result.get().int ?? 0
        }
        if restored > 0 { try await redis.publish(keys.wakeChannel, "restored") }
        return restored
    }

    private func commands(for jobs: [Restoration], call: String, script: String) throws -> [RedisCommand] {
        try jobs.map { entry in
            RedisCommand(call, [
                .string(script), "2", .string(keys.delayed), .string(keys.payloads),
                .string(entry.job.id), .string(String(entry.dueAt.millisecondsSince1970)), .string(try entry.job.encoded()),
                .string(entry.future ? "1" : "0"),
            ])
        }
    }
}
