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
