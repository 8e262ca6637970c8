import Foundation
import NIOCore

/// One queue: delayed jobs wait in a sorted set scored by due time (ms since 1970); a Lua script moves due
/// jobs atomically into the stream, where workers read them through a consumer group.
package struct JobQueue: Sendable {
    package let name: QueueName
    package let keys: QueueKeys
    package let redis: RedisClient

    package init(name: QueueName, redis: RedisClient) {
        self.name = name
        self.redis = redis
        self.keys = QueueKeys(prefix: redis.configuration.keyPrefix, queue: name)
    }

    /// Adds or moves a delayed job; when it becomes the earliest, tells the promoters (KEYS[3] channel) so
    /// they shorten their sleep.
    static let scheduleScript = RedisScript("""
        local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
        local added = redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        if first[2] == nil or tonumber(ARGV[2]) < tonumber(first[2]) then
            redis.call('PUBLISH', KEYS[3], ARGV[2])
        end
        return added
        """)

    static let cancelScript = RedisScript("""
        redis.call('HDEL', KEYS[2], ARGV[1])
        return redis.call('ZREM', KEYS[1], ARGV[1])
        """)

    /// Moves up to ARGV[1] due jobs (by Redis's own clock) into the stream; returns the count moved and the
    /// score of the next job still waiting (or nil).
    static let promoteScript = RedisScript("""
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
        for _, id in ipairs(due) do
            local payload = redis.call('HGET', KEYS[2], id)
            if payload then
                redis.call('XADD', KEYS[3], '*', 'job', payload)
                redis.call('HDEL', KEYS[2], id)
            end
            redis.call('ZREM', KEYS[1], id)
        end
        local nextJob = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        return {#due, nextJob[2] or false, now}
        """)

    /// Schedules `job` to run at `dueAt`; an existing job with the same id is moved to the new time.
    package func schedule(_ job: Job, at dueAt: Date) async throws {
        let score = dueAt.millisecondsSince1970
        try await redis.run(
            Self.scheduleScript, keys: [keys.delayed, keys.payloads, keys.wakeChannel],
            arguments: [.string(job.id), .string(String(score)), .string(try job.encoded())]
        )
    }

    /// Removes a job that has not been promoted yet; returns whether it was waiting.
    @discardableResult
    package func cancel(jobID: String) async throws -> Bool {
        try await redis.run(Self.cancelScript, keys: [keys.delayed, keys.payloads], arguments: [.string(jobID)]).int == 1
    }

    /// The due time of a waiting job, or nil when it is not waiting.
    package func dueTime(ofJob jobID: String) async throws -> Date? {
        try await redis.zscore(keys.delayed, member: jobID).map { Date(timeIntervalSince1970: $0 / 1000) }
    }

    /// What one promotion pass did.
    package struct Promotion: Sendable {
        package var promoted: Int
        /// How long until the next waiting job is due (zero or more), nil when none waits.
        package var nextDueIn: Duration?
    }

    /// Moves due jobs into the stream (at most `limit` per call).
    package func promoteDue(limit: Int = 1000) async throws -> Promotion {
        let reply = try await redis.run(
            Self.promoteScript, keys: [keys.delayed, keys.payloads, keys.stream], arguments: [.int(limit)]
        )
        guard let items = reply.elements, items.count == 3, let promoted = items[0].int, let now = items[2].int else {
            throw RedisError(.unexpectedReply, "promote script returned \(reply)")
        }
        let nextScore = items[1].string.flatMap(Double.init)
        let nextDueIn = nextScore.map { Duration.milliseconds(max(0, Int64($0) - Int64(now))) }
        return Promotion(promoted: promoted, nextDueIn: nextDueIn)
    }

    /// Creates the consumer group (and stream) when missing.
    package func prepare() async throws {
        try await redis.ensureConsumerGroup(stream: keys.stream, group: keys.group)
    }

    /// Reads up to `count` new jobs for `consumer`, blocking up to `block` (not at all when nil), on a dedicated
    /// connection. Entries whose payload cannot be decoded are removed (they could never run).
    package func receive(on connection: RedisConnection, consumer: String, count: Int, block: Duration? = nil) async throws -> [ReceivedJob] {
        let entries = try await connection.readGroup(stream: keys.stream, group: keys.group, consumer: consumer, count: count, block: block)
        var jobs: [ReceivedJob] = []
        for entry in entries {
            if let text = entry.fields["job"], let job = try? Job.decode(text) {
                jobs.append(ReceivedJob(entryID: entry.id, job: job))
            } else {
                try await discard(entryID: entry.id)
            }
        }
        return jobs
    }

    /// Waits up to `timeout`, without taking anything, until the stream holds an entry not yet delivered to
    /// the group. Entries added after the group's last delivery always have larger ids, so none added between
    /// an empty ``receive(on:consumer:count:block:)`` and this call is missed.
    package func waitForUndelivered(on connection: RedisConnection, upTo timeout: Duration) async throws {
        let lastDelivered = try await connection.lastDeliveredID(stream: keys.stream, group: keys.group)
        _ = try await connection.waitForEntry(in: keys.stream, after: lastDelivered, block: timeout)
    }

    /// Acknowledges and deletes an entry, if `consumer` still holds it. Returns false when the entry was
    /// reclaimed by another consumer meanwhile: the caller's lease was lost and its result must not count.
    @discardableResult
    package func acknowledge(entryID: String, consumer: String) async throws -> Bool {
        try await redis.run(Self.acknowledgeScript, keys: [keys.stream], arguments: [.string(keys.group), .string(consumer), .string(entryID)]).int == 1
    }

    /// Extends the lease of entries `consumer` holds (resets their idle time); returns those it no longer holds.
    package func heartbeat(entryIDs: [String], consumer: String) async throws -> [String] {
        guard !entryIDs.isEmpty else { return [] }
        let reply = try await redis.run(
            Self.heartbeatScript, keys: [keys.stream], arguments: [.string(keys.group), .string(consumer)] + entryIDs.map { .string($0) }
        )
        return reply.elements?.compactMap(\.string) ?? []
    }

    /// Takes over up to `count` entries whose holder has not renewed its lease for `leaseDuration` (a crashed
    /// or hung worker), with their delivery counts and previous holders.
    package func reclaim(consumer: String, leaseDuration: Duration, count: Int = 100) async throws -> [ReceivedJob] {
        let reply = try await redis.run(
            Self.reclaimScript, keys: [keys.stream],
            arguments: [.string(keys.group), .string(consumer), .string(String(leaseDuration.milliseconds)), .int(count)]
        )
        var jobs: [ReceivedJob] = []
        for item in reply.elements ?? [] {
            guard let parts = item.elements, parts.count == 4, let entryID = parts[0].string else { continue }
            let fields = parts[1].elements ?? []
            let payload = stride(from: 0, to: fields.count - 1, by: 2).first { fields[$0].string == "job" }.flatMap { fields[$0 + 1].string }
            guard let payload, let job = try? Job.decode(payload) else {
                try await discard(entryID: entryID)
                continue
            }
            jobs.append(ReceivedJob(entryID: entryID, job: job, deliveries: parts[3].int ?? 2, previousOwner: parts[2].string))
        }
        return jobs
    }

    /// Removes an entry whoever holds it.
    package func discard(entryID: String) async throws {
        let results = try await redis.pipeline([
            RedisCommand("XACK", .string(keys.stream), .string(keys.group), .string(entryID)),
            RedisCommand("XDEL", .string(keys.stream), .string(entryID)),
        ])
        for case .failure(let error) in results { throw error }
    }

    /// Entries delivered to a consumer and not yet acknowledged.
    package func pendingCount() async throws -> Int {
        let reply = try await redis.send(RedisCommand("XPENDING", .string(keys.stream), .string(keys.group)))
        return reply.elements?.first?.int ?? 0
    }

    static let acknowledgeScript = RedisScript("""
        local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
        if #pending == 0 or pending[1][2] ~= ARGV[2] then return 0 end
        redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
        redis.call('XDEL', KEYS[1], ARGV[3])
        return 1
        """)

    static let heartbeatScript = RedisScript("""
        local lost = {}
        for index = 3, #ARGV do
            local id = ARGV[index]
            local pending = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
            if #pending == 0 or pending[1][2] ~= ARGV[2] then
                table.insert(lost, id)
            else
                redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, id, 'JUSTID')
            end
        end
        return lost
        """)

    /// Atomic, so two reclaiming workers never take the same entry and a heartbeat cannot land between the
    /// check and the take.
    static let reclaimScript = RedisScript("""
        -- Entries whose holder has not heartbeaten for the lease: {id, holder, idle ms, deliveries}.
        local pending = redis.call('XPENDING', KEYS[1], ARGV[1], 'IDLE', tonumber(ARGV[3]), '-', '+', tonumber(ARGV[4]))
        local claimed = {}
        for _, entry in ipairs(pending) do
            -- XCLAIM moves the entry to us and counts a delivery; it answers {{id, fields}} for a live entry.
            local result = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]), entry[1])
            local first = result[1]
            if first and first[2] then
                -- {id, fields, previous holder, deliveries including this one}
                table.insert(claimed, {entry[1], first[2], entry[2], entry[4] + 1})
            elseif #result > 0 or first == false then
                -- The entry was deleted but is still pending (Redis 6 answers nil for it): drop it.
                redis.call('XACK', KEYS[1], ARGV[1], entry[1])
            end
        end
        return claimed
        """)
}

extension JobQueue {
    /// Adds jobs to run now straight into the stream, in pipelined batches of up to 10,000.
    package func enqueue(_ jobs: [Job]) async throws {
        var start = 0
        while start < jobs.count {
            let batch = jobs[start..<min(start + 10_000, jobs.count)]
            let commands = try batch.map { RedisCommand("XADD", .string(keys.stream), "*", "job", .string(try $0.encoded())) }
            for case .failure(let error) in try await redis.pipeline(commands) { throw error }
            start += batch.count
        }
    }
}
