/// Thrown by ``withTimeout(_:operation:)`` when the operation did not finish in time.
package struct TimeoutError: Error, CustomStringConvertible, Sendable {
    package let limit: Duration
    package var description: String { "timed out after \(limit)" }
}

/// Runs `operation`, cancelling it and throwing ``TimeoutError`` when it takes longer than `limit`.
package func withTimeout<Result: Sendable>(
    _ limit: Duration,
    operation: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else { throw TimeoutError(limit: limit) }
        return result
    }
}
