import ArkyraCore

/// Runs jobs of one type. Throwing means the job could not be handled and stays pending for a retry.
public protocol JobHandler: Sendable {
    var jobType: String { get }
    func handle(_ job: Job) async throws
}
