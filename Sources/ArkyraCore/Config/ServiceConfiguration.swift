import Foundation
import Logging

/// What every ARKYRA process reads: its databases, logging, the admin port and outbound HTTP rules.
public struct ServiceConfiguration: Sendable {
    public var database: DatabaseConfiguration
    public var redis: RedisConfiguration
    public var logging: LoggingConfiguration
    /// Host and port of the process's own `/health` and `/metrics` server.
    public var adminHost: String
    public var adminPort: Int
    public var storage: StorageConfiguration
    public var outbound: OutboundConfiguration

    public init(database: DatabaseConfiguration, redis: RedisConfiguration, logging: LoggingConfiguration = .init(),
                adminHost: String = "127.0.0.1", adminPort: Int, storage: StorageConfiguration, outbound: OutboundConfiguration = .init()) {
        self.database = database
        self.redis = redis
        self.logging = logging
        self.adminHost = adminHost
        self.adminPort = adminPort
        self.storage = storage
        self.outbound = outbound
    }

    /// Reads the shared keys; `defaultAdminPort` differs per service so all of them can run on one host.
    public init(reader: EnvironmentReader, defaultAdminPort: Int) throws {
        self.init(
            database: try DatabaseConfiguration(reader: reader),
            redis: try RedisConfiguration(reader: reader),
            logging: try LoggingConfiguration(reader: reader),
            adminHost: reader.string("ARKYRA_ADMIN_HOST", default: "127.0.0.1"),
            adminPort: try reader.int("ARKYRA_ADMIN_PORT", default: defaultAdminPort, in: 0...65535),
            storage: StorageConfiguration(reader: reader),
            outbound: try OutboundConfiguration(reader: reader)
        )
    }
}

/// Log level and format.
public struct LoggingConfiguration: Sendable {
    public var level: Logger.Level
    /// `json` (one object a line, for production) or `text` (for a terminal).
    public var json: Bool

    public init(level: Logger.Level = .info, json: Bool = true) {
        self.level = level
        self.json = json
    }

    /// Reads `ARKYRA_LOG_LEVEL` and `ARKYRA_LOG_FORMAT`.
    public init(reader: EnvironmentReader) throws {
        let levelText = reader.string("ARKYRA_LOG_LEVEL", default: "info")
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ConfigurationError(key: "ARKYRA_LOG_LEVEL", problem: "must be one of trace, debug, info, notice, warning, error, critical")
        }
        let format = reader.string("ARKYRA_LOG_FORMAT", default: "json")
        guard format == "json" || format == "text" else {
            throw ConfigurationError(key: "ARKYRA_LOG_FORMAT", problem: "must be json or text")
        }
        self.init(level: level, json: format == "json")
    }
}

/// Where media files live.
public struct StorageConfiguration: Sendable {
    /// Root folder of the local filesystem storage.
    public var localPath: String

    public init(localPath: String) {
        self.localPath = localPath
    }

    /// Reads `ARKYRA_STORAGE_PATH`.
    public init(reader: EnvironmentReader) {
        self.init(localPath: reader.string("ARKYRA_STORAGE_PATH", default: ".run/storage"))
    }
}

/// Rules for requests ARKYRA sends to platforms and to user-supplied URLs.
public struct OutboundConfiguration: Sendable {
    public var timeout: Duration
    /// Whether user-supplied URLs may point at loopback or private networks (true in development only).
    public var allowPrivateHosts: Bool

    public init(timeout: Duration = .seconds(30), allowPrivateHosts: Bool = false) {
        self.timeout = timeout
        self.allowPrivateHosts = allowPrivateHosts
    }

    /// Reads `ARKYRA_OUTBOUND_TIMEOUT_SECONDS` and `ARKYRA_OUTBOUND_ALLOW_PRIVATE_HOSTS`.
    public init(reader: EnvironmentReader) throws {
        self.init(
            timeout: .seconds(try reader.int("ARKYRA_OUTBOUND_TIMEOUT_SECONDS", default: 30, in: 1...600)),
            allowPrivateHosts: try reader.bool("ARKYRA_OUTBOUND_ALLOW_PRIVATE_HOSTS", default: false)
        )
    }
}
