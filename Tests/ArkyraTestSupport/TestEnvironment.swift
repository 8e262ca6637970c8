import ArkyraCore
import Foundation
import Logging
import PostgresNIO
import ArkyraSandbox

/// Real PostgreSQL and Redis for tests, as `scripts/dev-services.sh` starts them. Each test gets a database of
/// its own (created, migrated, dropped) and a Redis key prefix of its own (its keys deleted afterwards), so
/// tests run in parallel and leave nothing behind.
package enum TestEnvironment {
    /// `ARKYRA_TEST_DATABASE_URL`, by default the dev server's `arkyra` database (used only to create others).
    package static var maintenanceDatabase: DatabaseConfiguration {
        let text = ProcessInfo.processInfo.environment["ARKYRA_TEST_DATABASE_URL"] ?? "postgres://arkyra:arkyra@127.0.0.1:55432/arkyra"
        var configuration = try! DatabaseConfiguration(url: URL(string: text)!)
        configuration.acquireTimeout = testAcquireTimeout
        return configuration
    }

    /// Tests run in parallel on a shared machine, where a fresh pool's first connection can take seconds;
    /// tests of the deadline itself set their own.
    package static let testAcquireTimeout: Duration = .seconds(60)

    /// `ARKYRA_TEST_REDIS_URL`'s server with a fresh key prefix.
    package static func redisConfiguration(prefix: String = "test-\(UUID().uuidString.prefix(8).lowercased())") -> RedisConfiguration {
        let text = ProcessInfo.processInfo.environment["ARKYRA_TEST_REDIS_URL"] ?? "redis://127.0.0.1:56379/0"
        let url = URL(string: text)!
        return RedisConfiguration(host: url.host ?? "127.0.0.1", port: url.port ?? 6379, poolSize: 2, commandTimeout: .seconds(5), keyPrefix: prefix)
    }

    package static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = ProcessInfo.processInfo.environment["ARKYRA_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }()

    /// Fresh random secrets with a cheap bcrypt cost.
    /// ARKYRA's apps on the OAuth platforms, pointed at a sandbox on `port` (with the sandbox's own app).
    package static func sandboxPlatforms(port: Int) -> PlatformConfiguration {
        let sandbox = "http://127.0.0.1:\(port)"
        return PlatformConfiguration(
            x: .init(
                clientID: "arkyra-sandbox-client", clientSecret: "arkyra-sandbox-secret",
                authorizeURL: URL(string: "\(sandbox)/x/i/oauth2/authorize")!, apiURL: URL(string: "\(sandbox)/x")!
            ),
            linkedIn: .init(
                clientID: "arkyra-sandbox-client", clientSecret: "arkyra-sandbox-secret",
                authorizeURL: URL(string: "\(sandbox)/linkedin/oauth/v2/authorization")!, apiURL: URL(string: "\(sandbox)/linkedin")!
            ),
            telegram: .init(token: SandboxConfiguration.defaultTelegramBotToken, apiURL: URL(string: "\(sandbox)/telegram")!),
            discord: .init(oauth: .init(
                clientID: "arkyra-sandbox-client", clientSecret: "arkyra-sandbox-secret",
                authorizeURL: URL(string: "\(sandbox)/discord/oauth2/authorize")!, apiURL: URL(string: "\(sandbox)/discord/api/v10")!
            ), botToken: SandboxConfiguration.defaultDiscordBotToken),
            slack: .init(
                clientID: "arkyra-sandbox-client", clientSecret: "arkyra-sandbox-secret",
                authorizeURL: URL(string: "\(sandbox)/slack/oauth/v2/authorize")!, apiURL: URL(string: "\(sandbox)/slack")!
            ),
            threads: .init(
                clientID: "arkyra-sandbox-client", clientSecret: "arkyra-sandbox-secret",
                authorizeURL: URL(string: "\(sandbox)/threads/oauth/authorize")!, apiURL: URL(string: "\(sandbox)/threads")!
            ),
            facebook: .init(
                clientID: "arkyra-sandbox-client", clientSecret: "arkyra-sandbox-secret",
                authorizeURL: URL(string: "\(sandbox)/facebook/\(FacebookProvider.version)/dialog/oauth")!, apiURL: URL(string: "\(sandbox)/facebook")!
            ),
            instagram: .init(
                clientID: "arkyra-sandbox-client", clientSecret: "arkyra-sandbox-secret",
                authorizeURL: URL(string: "\(sandbox)/instagram/oauth/authorize")!, apiURL: URL(string: "\(sandbox)/instagram")!,
                tokenURL: URL(string: "\(sandbox)/instagram/oauth/access_token")!
            ),
            pinterest: .init(
                clientID: "arkyra-sandbox-client", clientSecret: "arkyra-sandbox-secret",
                authorizeURL: URL(string: "\(sandbox)/pinterest/oauth/")!, apiURL: URL(string: "\(sandbox)/pinterest")!
            ),
            reddit: .init(
                clientID: "arkyra-sandbox-client", clientSecret: "arkyra-sandbox-secret",
                authorizeURL: URL(string: "\(sandbox)/reddit/api/v1/authorize")!, apiURL: URL(string: "\(sandbox)/reddit/oauth")!
            ),
            youtube: .init(
                clientID: "arkyra-sandbox-client", clientSecret: "arkyra-sandbox-secret",
                authorizeURL: URL(string: "\(sandbox)/youtube/o/oauth2/v2/auth")!, apiURL: URL(string: "\(sandbox)/youtube")!,
                tokenURL: URL(string: "\(sandbox)/youtube/token")!
            ),
            tiktok: .init(
                clientID: "arkyra-sandbox-client", clientSecret: "arkyra-sandbox-secret",
                authorizeURL: URL(string: "\(sandbox)/tiktok/v2/auth/authorize/")!, apiURL: URL(string: "\(sandbox)/tiktok")!
            ),
            blueskyVideo: URL(string: "\(sandbox)/bluesky-video")!
        )
    }

    package static func security() -> SecurityConfiguration {
        SecurityConfiguration(
            jwtSecret: (0..<48).map { _ in UInt8.random(in: 0...255) },
            encryptionKeys: [.init(id: "test", bytes: (0..<32).map { _ in UInt8.random(in: 0...255) })],
            bcryptCost: 4
        )
    }

    /// A service configuration on `database` and `redis` with admin port 0 and sandbox-friendly outbound rules.
    package static func service(database: DatabaseConfiguration, redis: RedisConfiguration) -> ServiceConfiguration {
        ServiceConfiguration(
            database: database, redis: redis, adminPort: 0,
            storage: StorageConfiguration(localPath: NSTemporaryDirectory() + "arkyra-test-storage"),
            outbound: OutboundConfiguration(timeout: .seconds(2), allowPrivateHosts: true),
            // Temporal's dev server, on a task queue of the test's own (no other test's worker takes its tasks).
            orchestration: OrchestrationConfiguration(temporal: try! TestTemporal.configuration(), taskQueue: TestTemporal.taskQueue("arkyra"))
        )
    }

    /// Creates an empty database, runs `body` with its configuration, then drops it.
    package static func withEmptyDatabase<Result>(_ body: (DatabaseConfiguration) async throws -> Result) async throws -> Result {
        let name = "arkyra_test_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        _ = try await withClient(maintenanceDatabase) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        }
        var configuration = maintenanceDatabase
        configuration.database = name
        configuration.maxConnections = 10
        do {
            let result = try await body(configuration)
            try await drop(name)
            return result
        } catch let error as PSQLError {
            try? await drop(name)
            throw DescribedError(description: String(reflecting: error))
        } catch {
            try? await drop(name)
            throw error
        }
    }

    /// A migrated database of its own: runs `body` with a running client and the configuration.
    package static func withDatabase<Result>(_ body: (Database, DatabaseConfiguration) async throws -> Result) async throws -> Result {
        try await withEmptyDatabase { configuration in
            try await withClient(configuration) { client in
                try await MigrationRunner(client: client, migrations: try Migration.bundled(), logger: logger).apply()
                return try await body(client, configuration)
            }
        }
    }

    /// Runs `body` with a running client on `configuration`.
    package static func withClient<Result>(_ configuration: DatabaseConfiguration, _ body: (Database) async throws -> Result) async throws -> Result {
        try await Database.withRunning(configuration: configuration, logger: logger, body)
    }

    /// Runs `body` with a Redis client on a fresh prefix, then deletes every key under that prefix.
    package static func withRedis<Result>(_ body: (RedisClient) async throws -> Result) async throws -> Result {
        let redis = RedisClient(configuration: redisConfiguration())
        do {
            let result = try await body(redis)
            try await deleteKeys(redis)
            await redis.shutdown()
            return result
        } catch {
            try? await deleteKeys(redis)
            await redis.shutdown()
            throw error
        }
    }

    private static func deleteKeys(_ redis: RedisClient) async throws {
        var cursor = "0"
        repeat {
            let reply = try await redis.send(RedisCommand("SCAN", .string(cursor), "MATCH", .string("\(redis.configuration.keyPrefix):*"), "COUNT", "1000"))
            guard let parts = reply.elements, parts.count == 2, let next = parts[0].string else { return }
            cursor = next
            let keys = parts[1].elements?.compactMap(\.string) ?? []
            try await redis.delete(keys)
        } while cursor != "0"
    }

    /// Drops a test database, retrying briefly while a session that cannot be ended yet holds it.
    private static func drop(_ name: String) async throws {
        for attempt in 1...5 {
            do {
                _ = try await withClient(maintenanceDatabase) { admin in
                    try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
                }
                return
            } catch let error as PSQLError where attempt < 5 && ["42501", "55006"].contains(error.serverInfo?[.sqlState] ?? "") {
                try await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
    }
}

/// An error whose description carries the details PostgresNIO hides by default, for test failure messages.
package struct DescribedError: Error, CustomStringConvertible {
    package let description: String
}
