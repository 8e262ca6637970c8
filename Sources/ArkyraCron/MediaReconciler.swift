import ArkyraCore
import Foundation
import Logging

/// Makes sure every uploaded file gets processed: a file still `pending` an hour after its upload lost its
/// job (Redis refused it, or lost it) and is queued again; one still `pending` after a day is marked failed,
/// so that a file that keeps stopping the worker does not come back for ever.
package struct MediaReconciler: Sendable {
    let database: Database
    let media: MediaRepository
    let queue: JobQueue
    let logger: Logger
    /// Longer than any processing takes (a 1 GiB video's transcode included).
    let requeueAfter: TimeInterval
    let giveUpAfter: TimeInterval

    package init(database: Database, queue: JobQueue, logger: Logger, requeueAfter: TimeInterval = 3600, giveUpAfter: TimeInterval = 86_400) {
        self.database = database
        self.media = MediaRepository(logger: logger)
        self.queue = queue
        self.logger = logger
        self.requeueAfter = requeueAfter
        self.giveUpAfter = giveUpAfter
    }

    /// What one pass did.
    package struct Outcome: Sendable, Equatable {
        package var requeued = 0
        package var failed = 0
    }

    @discardableResult
    package func reconcile(now: Date = Date()) async throws -> Outcome {
        var outcome = Outcome()
        let stale = try await media.pending(changedBetween: now.addingTimeInterval(-giveUpAfter), and: now.addingTimeInterval(-requeueAfter), limit: 1000, client: database)
        outcome.requeued = try await queue.restore(stale.map { JobQueue.Restoration(job: MediaJob(mediaID: $0.id, organizationID: $0.organizationID).job(requestID: nil), dueAt: now) })
        outcome.failed = try await media.failPending(
            changedBefore: now.addingTimeInterval(-giveUpAfter), reason: "processing did not finish within a day; upload the file again", client: database
        )
        if outcome != Outcome() {
            logger.warning("reconciled media processing", metadata: ["requeued": "\(outcome.requeued)", "failed": "\(outcome.failed)"])
        }
        return outcome
    }
}
