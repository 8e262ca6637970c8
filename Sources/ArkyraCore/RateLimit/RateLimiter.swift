import Foundation

/// Sliding-window rate limits in Redis, shared by every API instance. Each limited key is one hash holding
/// the counts of the current and the previous fixed window; the sliding count weighs the previous window by
/// how much of it still overlaps the last `window` (the approximation Cloudflare and others use: O(1) memory
/// per key, accurate to within a few percent). Redis's clock decides the windows.
public struct RateLimiter: Sendable {
    let redis: RedisClient

    public init(redis: RedisClient) {
        self.redis = redis
    }

    /// What a limit says about one more request.
    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        public var limit: Int
        /// Requests left in the window after this one (0 when refused).
        public var remaining: Int
        /// Seconds until the window has room again (refused) or fully resets (allowed), at least 1.
        public var resetSeconds: Int
    }

    /// Counts `cost` against `key` if it fits under `limit` per `window`; `cost: 0` only asks whether one more
    /// would fit.
    public func hit(_ key: String, limit: Int, window: Duration, cost: Int = 1) async throws -> Decision {
        let reply = try await redis.run(
            Self.script, keys: [redis.key("ratelimit:\(key)")],
            arguments: [.int(limit), .string(String(window.milliseconds)), .int(cost)]
        )
        guard let values = reply.elements, values.count == 3, let allowed = values[0].int, let remaining = values[1].int, let reset = values[2].int else {
            throw RedisError(.unexpectedReply, "rate limit script returned \(reply)")
        }
        return Decision(allowed: allowed == 1, limit: limit, remaining: max(0, remaining), resetSeconds: max(1, (reset + 999) / 1000))
    }

    static let script = RedisScript("""
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local cost = tonumber(ARGV[3])
        local current = math.floor(now / window)
        local elapsed = now - current * window
        local previous = tonumber(redis.call('HGET', KEYS[1], tostring(current - 1)) or '0')
        local count = tonumber(redis.call('HGET', KEYS[1], tostring(current)) or '0')
        local used = previous * (window - elapsed) / window + count
        if used + math.max(cost, 1) > limit then
            local wait = window - elapsed
            if previous > 0 then
                local shed = math.ceil((used + math.max(cost, 1) - limit) * window / previous)
                if shed > 0 and shed < wait then wait = shed end
            end
            return {0, math.floor(limit - used), wait}
        end
        if cost > 0 then
            redis.call('HINCRBY', KEYS[1], tostring(current), cost)
            for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
                if tonumber(field) < current - 1 then redis.call('HDEL', KEYS[1], field) end
            end
            redis.call('PEXPIRE', KEYS[1], window * 2)
        end
        return {1, math.floor(limit - used - cost), window - elapsed}
        """)
}
