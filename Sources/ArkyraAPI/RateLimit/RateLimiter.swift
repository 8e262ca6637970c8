import ArkyraCore
import Foundation

/// Sliding-window rate limits in Redis, shared by every API instance. Each limited key is one hash holding
/// the counts of the current and the previous fixed window; the sliding count weighs the previous window by
/// how much of it still overlaps the last `window` (the approximation Cloudflare and others use: O(1) memory
/// per key, accurate to within a few percent). Redis's clock decides the windows. The keys share the hash tag
/// `{ratelimit}`, so one script call can check several budgets on a Redis Cluster too.
package struct RateLimiter: Sendable {
    let redis: RedisClient

    package init(redis: RedisClient) {
        self.redis = redis
    }

    /// What a limit says about one more request.
    package struct Decision: Sendable, Equatable {
        package var allowed: Bool
        package var limit: Int
        /// Requests left in the window after this one (0 when refused).
        package var remaining: Int
        /// Seconds until the window has room again (refused) or fully resets (allowed), at least 1.
        package var resetSeconds: Int
    }

    /// Counts `cost` against `key` if it fits under `limit` per `window`; `cost: 0` only asks whether one more
    /// would fit.
    package func hit(_ key: String, limit: Int, window: Duration, cost: Int = 1) async throws -> Decision {
        try await hit([(key, limit)], window: window, cost: cost)[0]
    }

    /// ``hit(_:limit:window:cost:)`` for several budgets in one script call (one round trip), all or nothing:
    /// `cost` is counted against every budget only when each has room, so a request one budget refuses spends
    /// none of the others. The decisions come in the order of `budgets`.
    package func hit(_ budgets: [(key: String, limit: Int)], window: Duration, cost: Int = 1) async throws -> [Decision] {
        let reply = try await redis.run(
            Self.script, keys: budgets.map { redis.key("{ratelimit}:\($0.key)") },
            arguments: [.string(String(window.milliseconds)), .int(cost)] + budgets.map { .int($0.limit) }
        )
        guard let values = reply.elements, values.count == 3 * budgets.count else {
            throw RedisError(.unexpectedReply, "rate limit script returned \(reply)")
        }
        return try budgets.indices.map { index in
            guard let allowed = values[3 * index].int, let remaining = values[3 * index + 1].int, let reset = values[3 * index + 2].int else {
                throw RedisError(.unexpectedReply, "rate limit script returned \(reply)")
            }
            return Decision(allowed: allowed == 1, limit: budgets[index].limit, remaining: max(0, remaining), resetSeconds: max(1, (reset + 999) / 1000))
        }
    }

    /// Gives back one unit of each budget counted within the last `window` (a login that turned out right
    /// should not count as an attempt against its owner).
    package func refund(_ keys: [String], window: Duration) async throws {
        _ = try await redis.run(Self.refundScript, keys: keys.map { redis.key("{ratelimit}:\($0)") }, arguments: [.string(String(window.milliseconds))])
    }

    static let script = RedisScript("""
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local window = tonumber(ARGV[1])
        local cost = tonumber(ARGV[2])
        local current = math.floor(now / window)
        local elapsed = now - current * window
        local decisions = {}
        local fits = true
        for index, key in ipairs(KEYS) do
            local limit = tonumber(ARGV[2 + index])
            local previous = tonumber(redis.call('HGET', key, tostring(current - 1)) or '0')
            local count = tonumber(redis.call('HGET', key, tostring(current)) or '0')
            local used = previous * (window - elapsed) / window + count
            if used + math.max(cost, 1) > limit then
                fits = false
                local wait = window - elapsed
                if previous > 0 then
                    local shed = math.ceil((used + math.max(cost, 1) - limit) * window / previous)
                    if shed > 0 and shed < wait then wait = shed end
                end
                table.insert(decisions, 0); table.insert(decisions, math.floor(limit - used)); table.insert(decisions, wait)
            else
                table.insert(decisions, 1); table.insert(decisions, math.floor(limit - used - cost)); table.insert(decisions, window - elapsed)
            end
        end
        -- Counted only when every budget has room: a refused request spends nothing.
        if fits and cost > 0 then
            for _, key in ipairs(KEYS) do
                redis.call('HINCRBY', key, tostring(current), cost)
                for _, field in ipairs(redis.call('HKEYS', key)) do
                    if tonumber(field) < current - 1 then redis.call('HDEL', key, field) end
                end
                redis.call('PEXPIRE', key, window * 2)
            end
        elseif not fits then
            -- The budgets that had room report the room they still have.
            for index = 1, #KEYS do
                if decisions[3 * index - 2] == 1 then decisions[3 * index - 1] = decisions[3 * index - 1] + cost end
            end
        end
        return decisions
        """)

    static let refundScript = RedisScript("""
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local current = math.floor(now / tonumber(ARGV[1]))
        for _, key in ipairs(KEYS) do
            for _, field in ipairs({tostring(current), tostring(current - 1)}) do
                if tonumber(redis.call('HGET', key, field) or '0') > 0 then
                    redis.call('HINCRBY', key, field, -1)
                    break
                end
            end
        end
        return 1
        """)
}
