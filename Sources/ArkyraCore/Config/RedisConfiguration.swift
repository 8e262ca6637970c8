import Foundation

/// Where Redis is, how many multiplexed connections a process keeps, and the deadline of each command.
package struct RedisConfiguration: Sendable {
    package var host: String
    package var port: Int
    package var username: String?
    package var password: String?
    package var database: Int
    /// Shared (multiplexed, pipelined) connections per process; blocking commands and pub/sub get their own.
    package var poolSize: Int
    /// Deadline of one command; a command past it fails and its connection is closed.
    package var commandTimeout: Duration
    /// Deadline of connecting and the handshake.
    package var connectTimeout: Duration = .seconds(5)
    /// Prefix of every key ARKYRA writes, so several installations (or tests) can share one Redis.
    package var keyPrefix: String

    package init(host: String = "127.0.0.1", port: Int = 6379, username: String? = nil, password: String? = nil, database: Int = 0,
                 poolSize: Int = 4, commandTimeout: Duration = .seconds(5), keyPrefix: String = "arkyra") {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.poolSize = poolSize
        self.commandTimeout = commandTimeout
        self.keyPrefix = keyPrefix
    }

    /// Reads `ARKYRA_REDIS_URL`, `ARKYRA_REDIS_POOL_SIZE`, `ARKYRA_REDIS_COMMAND_TIMEOUT_MS`, `ARKYRA_REDIS_KEY_PREFIX`.
    package init(reader: EnvironmentReader) throws {
        let key = "ARKYRA_REDIS_URL"
        let url = try reader.url(key, default: "redis://127.0.0.1:56379/0", schemes: ["redis"])
        let path = url.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard path.isEmpty || Int(path) != nil else { throw ConfigurationError(key: key, problem: "database must be a number") }
        self.init(
            host: url.host ?? "127.0.0.1",
            port: url.port ?? 6379,
            username: url.user?.removingPercentEncoding,
            password: url.password?.removingPercentEncoding,
            database: Int(path) ?? 0,
            poolSize: try reader.int("ARKYRA_REDIS_POOL_SIZE", default: 4, in: 1...64),
            commandTimeout: .milliseconds(try reader.int("ARKYRA_REDIS_COMMAND_TIMEOUT_MS", default: 5000, in: 10...600_000)),
            keyPrefix: reader.string("ARKYRA_REDIS_KEY_PREFIX", default: "arkyra")
        )
    }
}
