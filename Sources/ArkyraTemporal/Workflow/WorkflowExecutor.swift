import Foundation

/// Runs one workflow's Swift tasks on the thread that asks, one job at a time in the order they were scheduled, until
/// none is left: then every task of the workflow waits on something only a new history event can give it, and the
/// commands it issued so far are the workflow task's answer. This is what makes a replay take the same path.
final class WorkflowExecutor: TaskExecutor, @unchecked Sendable {
    private let lock = NSLock()
    private var jobs: [UnownedJob] = []

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        lock.withLock { jobs.append(job) }
    }

    /// Runs jobs until none is waiting; false when `limit` jobs ran and more wait (code that never waits).
    func runUntilIdle(limit: Int = 1_000_000) -> Bool {
        for _ in 0..<limit {
            guard let job = lock.withLock({ jobs.isEmpty ? nil : jobs.removeFirst() }) else { return true }
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
        return lock.withLock { jobs.isEmpty }
    }
}
