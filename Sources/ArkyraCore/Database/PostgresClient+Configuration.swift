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
