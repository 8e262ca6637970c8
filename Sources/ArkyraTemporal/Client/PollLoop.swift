import Logging

/// What the workflow and activity workers' pollers do: `step` (a long poll and the task it brought) again and again
/// until the task is cancelled; a step that fails is logged and tried again after a pause growing from 0.4 s to 5 s.
func pollUntilCancelled(_ what: String, logger: Logger, _ step: () async throws -> Void) async {
    var failures = 0
    while !Task.isCancelled {
        do {
            try await step()
            failures = 0
        } catch {
            if Task.isCancelled { return }
            failures += 1
            logger.warning("\(what): \(error)")
            try? await Task.sleep(for: .milliseconds(min(5000, 200 * (1 << min(failures, 5)))))
        }
    }
}
