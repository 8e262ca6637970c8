import Logging
import NIOSSL
import PostgresNIO

extension PostgresClient {
    /// A connection pool for `configuration`; run it in the service group (`PostgresClient` is a `Service`).
    package convenience init(configuration: DatabaseConfiguration, logger: Logger) {
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
}
