import Logging
import NIOSSL
import PostgresNIO

extension PostgresClient {
    /// A connection pool for `configuration`; run it in the service group (`PostgresClient` is a `Service`).
    public convenience init(configuration: DatabaseConfiguration, logger: Logger) {
        var postgres = PostgresClient.Configuration(
            host: configuration.host,
            port: configuration.port,
            username: configuration.username,
            password: configuration.password,
            database: configuration.database,
            tls: configuration.requireTLS ? .require(.makeClientConfiguration()) : .disable
        )
        postgres.options.maximumConnections = configuration.maxConnections
        postgres.options.connectTimeout = .seconds(5)
        self.init(configuration: postgres, backgroundLogger: logger)
    }

    /// Runs `SELECT 1`, failing when the database does not answer within `timeout`.
    /// - Throws: ``TimeoutError`` or the database error.
    public func ping(timeout: Duration = .seconds(2)) async throws {
        try await withTimeout(timeout) {
            _ = try await self.query("SELECT 1")
        }
    }
}

extension PostgresClient {
    /// Runs `body` in a transaction, committed when it returns and rolled back when it throws. Unlike
    /// `withTransaction`, an error thrown by `body` comes out as itself (not wrapped), so callers can catch
    /// their own errors; failures to begin, commit or roll back still come out as `PostgresTransactionError`.
    public func inTransaction<Result: Sendable>(
        logger: Logger,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError where error.rollbackError == nil && error.beginError == nil && error.commitError == nil {
            if let cause = error.closureError { throw cause }
            throw error
        }
    }
}
