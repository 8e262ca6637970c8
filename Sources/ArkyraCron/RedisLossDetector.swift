import ArkyraCore
import Synchronization

/// Notices within a second that Redis lost its data (FLUSHALL, a restart without persistence, a failover to
/// an empty replica): the leader keeps a marker key in Redis and checks every tick that it is still there.
/// A marker this process set that has disappeared means every delayed job and every lease went with it.
final class RedisLossDetector: Sendable {
    private let redis: RedisClient
    /// Whether this process has seen the marker in place (a new leader's first look proves nothing).
    private let markerSet = Mutex(false)

    init(redis: RedisClient) {
        self.redis = redis
    }

    /// True when the marker set before is gone. Sets it again either way.
    func lostSinceLastCheck() async throws -> Bool {
        let wasAbsent = try await redis.set(redis.key("cron:marker"), "set by the cron leader; its disappearance means Redis lost its data", onlyIfAbsent: true)
        let hadSet = markerSet.withLock { seen in
            defer { seen = true }
            return seen
        }
        return wasAbsent && hadSet
    }
}
