import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// PostgreSQL is the source of truth; this makes Redis agree with it. Each pass re-creates the publish job of
/// every scheduled post whose job Redis lost (restart, flush, failover), and hands posts stuck in
/// `publishing` (their worker and job both gone) back to the workers, whose takeover rules decide between
/// resending with the same idempotency key and marking them unconfirmed; and re-creates the job of a
/// take-down from a platform that has waited too long.
package struct Reconciler: Sendable {
    let database: Database
    let posts: PostRepository
    let queue: JobQueue
    let logger: Logger
    /// Scheduled posts due within this horizon are checked; later ones are checked by later passes.
    let horizon: TimeInterval
    /// A post this overdue and still `scheduled` has lost its job (workers would have claimed it).
    let overdueGrace: TimeInterval
    /// A post `publishing` this long has lost its worker (longer than any lease plus platform timeout).
    let stuckAfter: TimeInterval
    /// After Redis lost its data, posts `publishing` are handed back this much later: a worker still alive
    /// has finished by then (its platform call has this deadline), and the takeover of a finished post is
    /// dropped; the posts of workers that died with Redis are taken over then instead of after `stuckAfter`.
    let takeoverAfterLoss: TimeInterval
    static let pageSize = 1000

    package init(database: Database, queue: JobQueue, logger: Logger, horizon: TimeInterval = 86_400,
                 overdueGrace: TimeInterval = 30, stuckAfter: TimeInterval = 300, takeoverAfterLoss: TimeInterval = 35) {
        self.database = database
        self.posts = PostRepository(logger: logger)
        self.queue = queue
        self.logger = logger
        self.horizon = horizon
        self.overdueGrace = overdueGrace
        self.stuckAfter = stuckAfter
        self.takeoverAfterLoss = takeoverAfterLoss
    }

    /// What one pass did.
    package struct Outcome: Sendable, Equatable {
        package var restored = 0
        package var handedBack = 0
    }

    /// One pass over the database.
    @discardableResult
    package func reconcile(now: Date = Date()) async throws -> Outcome {
        try await pass(now: now, grace: overdueGrace, stuckSince: now.addingTimeInterval(-stuckAfter), handBackAt: now)
    }

    /// The pass right after Redis lost its data: every job is gone, so overdue posts are restored without the
    /// grace period, and every post `publishing` is handed back (after ``takeoverAfterLoss``), not only those
    /// stuck for ``stuckAfter``.
    @discardableResult
    package func reconcileAfterRedisLoss(now: Date = Date()) async throws -> Outcome {
        try await pass(now: now, grace: 0, stuckSince: now, handBackAt: now.addingTimeInterval(takeoverAfterLoss))
    }

    private func pass(now: Date, grace: TimeInterval, stuckSince: Date, handBackAt: Date) async throws -> Outcome {
        var outcome = Outcome()
        var after: UUID?
        while true {
            let page = try await posts.scheduled(dueBefore: now.addingTimeInterval(horizon), after: after, limit: Self.pageSize, client: database)
            // Future posts must wait in the delayed set; overdue ones within the grace period may simply be in
            // the stream or with a worker right now, so they are left alone.
            let candidates = page.filter { $0.publishAt > now || $0.publishAt <= now.addingTimeInterval(-grace) }
            outcome.restored += try await queue.restore(candidates.map { post in
                JobQueue.Restoration(job: PublishJob(postID: post.id, organizationID: post.organizationID).job(requestID: nil),
                                     dueAt: max(post.publishAt, now), future: post.publishAt > now)
            })
            guard page.count == Self.pageSize, let last = page.last else { break }
            after = last.id
        }
        var handedBackAfter: UUID?
        while true {
            let stuck = try await posts.stuckPublishing(since: stuckSince, limit: Self.pageSize, after: handedBackAfter, client: database)
            for post in stuck {
                var job = PublishJob(postID: post.id, organizationID: post.organizationID).job(requestID: nil)
                job.staleOwner = post.owner
                try await queue.schedule(job, at: handBackAt)
            }
            outcome.handedBack += stuck.count
            guard stuck.count == Self.pageSize, let last = stuck.last else { break }
            handedBackAfter = last.id
        }
        // Take-downs asked for a while ago whose job is gone (one waiting for a retry is in the delayed set).
        let removals = try await posts.removalsWaiting(since: now.addingTimeInterval(-stuckAfter), limit: Self.pageSize, client: database)
        outcome.restored += try await queue.restore(removals.map {
            JobQueue.Restoration(job: UnpublishJob(postID: $0.id, organizationID: $0.organizationID).job(requestID: nil), dueAt: now)
        })
        if outcome != Outcome() {
            logger.warning("reconciled Redis with the database", metadata: ["restored": "\(outcome.restored)", "handed_back": "\(outcome.handedBack)"])
        }
        return outcome
    }
}
