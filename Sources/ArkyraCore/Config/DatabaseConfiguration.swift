import Foundation

/// Where PostgreSQL is and how many connections a process may hold.
package struct DatabaseConfiguration: Sendable {
    package var host: String
    package var port: Int
    package var username: String
    package var password: String?
    package var database: String
    /// `true` when the URL asks for `sslmode=require` (or `verify-full`).
    package var requireTLS: Bool
    package var maxConnections: Int
    /// How long a caller waits for a free connection before it is told the database is busy.
    package var acquireTimeout: Duration = .seconds(5)

    package init(host: String, port: Int, username: String, password: String?, database: String, requireTLS: Bool = false, maxConnections: Int = 20) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.requireTLS = requireTLS
        self.maxConnections = maxConnections
    }

    /// Reads `ARKYRA_DATABASE_URL`, `ARKYRA_DATABASE_MAX_CONNECTIONS` and `ARKYRA_DATABASE_ACQUIRE_TIMEOUT_MS`.
    package init(reader: EnvironmentReader) throws {
        let key = "ARKYRA_DATABASE_URL"
        let url = try reader.url(key, default: "postgres://arkyra:arkyra@127.0.0.1:55432/arkyra", schemes: ["postgres", "postgresql"])
        try self.init(url: url, key: key)
        maxConnections = try reader.int("ARKYRA_DATABASE_MAX_CONNECTIONS", default: 20, in: 1...500)
        acquireTimeout = .milliseconds(try reader.int("ARKYRA_DATABASE_ACQUIRE_TIMEOUT_MS", default: 5000, in: 10...120_000))
    }

    /// Parses `postgres://user:password@host:port/database?sslmode=...`.
    /// - Throws: ``ConfigurationError`` naming `key` when a part is missing.
    package init(url: URL, key: String = "ARKYRA_DATABASE_URL") throws {
        guard let host = url.host, !host.isEmpty else { throw ConfigurationError(key: key, problem: "has no host") }
        guard let user = url.user, !user.isEmpty else { throw ConfigurationError(key: key, problem: "has no user name") }
        let database = url.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard !database.isEmpty else { throw ConfigurationError(key: key, problem: "has no database name") }
        let sslMode = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "sslmode" }?.value
        if let sslMode, !["disable", "prefer", "require", "verify-full"].contains(sslMode) {
            throw ConfigurationError(key: key, problem: "has an unknown sslmode '\(sslMode)'")
        }
        self.init(
            host: host,
            port: url.port ?? 5432,
            username: user.removingPercentEncoding ?? user,
            password: url.password?.removingPercentEncoding,
            database: database,
            requireTLS: sslMode == "require" || sslMode == "verify-full"
        )
    }
}
