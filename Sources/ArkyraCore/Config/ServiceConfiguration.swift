import Foundation
import Logging

/// What every ARKYRA process reads: its databases, logging, the admin port, outbound HTTP rules and the
/// platforms' OAuth apps.
package struct ServiceConfiguration: Sendable {
    package var database: DatabaseConfiguration
    package var redis: RedisConfiguration
    package var logging: LoggingConfiguration
    /// Host and port of the process's own `/health` and `/metrics` server.
    package var adminHost: String
    package var adminPort: Int
    package var storage: StorageConfiguration
    package var outbound: OutboundConfiguration
    /// The OAuth apps on platforms, for connecting channels (API) and refreshing their tokens (worker).
    package var platforms: PlatformConfiguration
    /// Temporal, for the workflows (orchestrator), their activities (worker) and starting and signalling them (API).
    package var orchestration: OrchestrationConfiguration

    package init(database: DatabaseConfiguration, redis: RedisConfiguration, logging: LoggingConfiguration = .init(),
                 adminHost: String = "127.0.0.1", adminPort: Int, storage: StorageConfiguration, outbound: OutboundConfiguration = .init(),
                 platforms: PlatformConfiguration = .init(), orchestration: OrchestrationConfiguration = .local) {
        self.database = database
        self.redis = redis
        self.logging = logging
        self.adminHost = adminHost
        self.adminPort = adminPort
        self.storage = storage
        self.outbound = outbound
        self.platforms = platforms
        self.orchestration = orchestration
    }

    /// Reads the shared keys; `defaultAdminPort` differs per service so all of them can run on one host.
    package init(reader: EnvironmentReader, defaultAdminPort: Int) throws {
        self.init(
            database: try DatabaseConfiguration(reader: reader),
            redis: try RedisConfiguration(reader: reader),
            logging: try LoggingConfiguration(reader: reader),
            adminHost: reader.string("ARKYRA_ADMIN_HOST", default: "127.0.0.1"),
            adminPort: try reader.int("ARKYRA_ADMIN_PORT", default: defaultAdminPort, in: 0...65535),
            storage: try StorageConfiguration(reader: reader),
            outbound: try OutboundConfiguration(reader: reader),
            platforms: try PlatformConfiguration(reader: reader),
            orchestration: try OrchestrationConfiguration(reader: reader)
        )
    }
}
