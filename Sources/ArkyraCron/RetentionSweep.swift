import ArkyraCore
import Foundation
import Logging

/// Keeps what piles up bounded: deletes dead jobs older than the retention period and the oldest beyond
/// the limit. Run by the leader with the reconciler.
public struct RetentionSweep: Sendable {
    let deadJobs: DeadJobRepository
    let deadJobRetention: Duration
    let deadJobLimit: Int
    let logger: Logger

    public init(deadJobs: DeadJobRepository, deadJobRetention: Duration, deadJobLimit: Int, logger: Logger) {
        self.deadJobs = deadJobs
        self.deadJobRetention = deadJobRetention
        self.deadJobLimit = deadJobLimit
        self.logger = logger
    }

    /// One sweep; returns how many dead jobs it deleted.
    @discardableResult
    public func sweep(now: Date = Date()) async throws -> Int {
        let cutoff = now.addingTimeInterval(-TimeInterval(deadJobRetention.components.seconds))
        let deleted = try await deadJobs.purge(createdBefore: cutoff, keepingAtMost: deadJobLimit)
        if deleted > 0 { logger.info("deleted expired dead jobs", metadata: ["count": "\(deleted)"]) }
        return deleted
    }
}
