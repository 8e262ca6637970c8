import PostgresNIO

extension MigrationRunner {
    /// Applies every pending migration once PostgreSQL can be reached: while it cannot (it is still starting,
    /// or its network is not ready yet) this retries with back-off instead of failing, so a service started
    /// before its database stays not-ready rather than crash-looping. Cancellation ends the wait.
    /// - Throws: what ``apply()`` throws once PostgreSQL answers (a failing migration, a wrong password), or
    ///   `CancellationError`.
    @discardableResult
    package func applyWaitingForDatabase() async throws -> [Migration] {
        var failures = FailureStreak()
        while true {
            do {
                let applied = try await apply()
                failures.succeeded("PostgreSQL answered; migrations applied", metadata: [:], logger: logger)
                return applied
            } catch where Self.isUnreachable(error) {
                failures.failed("waiting for PostgreSQL before applying migrations", error: error, metadata: [:], logger: logger)
                try await Task.sleep(for: failures.backoff)
            }
        }
    }

    /// Whether `error` says PostgreSQL could not be reached (no connection, the pool's circuit breaker),
    /// rather than that it answered with an error or the migrations are wrong.
    static func isUnreachable(_ error: any Error) -> Bool {
        // A transaction's error means PostgreSQL answered: a migration failed in it.
        if error is MigrationError || error is PostgresTransactionError || error is CancellationError { return false }
        if let error = error as? PSQLError { return error.code != .server }
        return true
    }
}
