import ArkyraCore

/// Everything `arkyra-api` reads at start-up.
public struct APIConfiguration: Sendable {
    public var service: ServiceConfiguration
    public var security: SecurityConfiguration
    public var host: String
    public var port: Int
    /// Whether anyone may register (off for invite-only installations).
    public var registrationEnabled: Bool
    /// Request bodies larger than this are refused with 413 before they are read.
    public var maxBodyBytes: Int
    /// Whether the API applies pending migrations before it starts serving (replicas take turns).
    public var migrateOnStart: Bool

    public init(service: ServiceConfiguration, security: SecurityConfiguration, host: String = "127.0.0.1", port: Int = 8080,
                registrationEnabled: Bool = true, maxBodyBytes: Int = 1024 * 1024, migrateOnStart: Bool = true) {
        self.service = service
        self.security = security
        self.host = host
        self.port = port
        self.registrationEnabled = registrationEnabled
        self.maxBodyBytes = maxBodyBytes
        self.migrateOnStart = migrateOnStart
    }

    /// Reads the shared keys plus `ARKYRA_API_HOST`, `ARKYRA_API_PORT`, `ARKYRA_REGISTRATION_ENABLED` and
    /// `ARKYRA_MAX_BODY_BYTES`, `ARKYRA_MIGRATE_ON_START`.
    public init(reader: EnvironmentReader) throws {
        self.init(
            service: try ServiceConfiguration(reader: reader, defaultAdminPort: 0),
            security: try SecurityConfiguration(reader: reader),
            host: reader.string("ARKYRA_API_HOST", default: "127.0.0.1"),
            port: try reader.int("ARKYRA_API_PORT", default: 8080, in: 0...65535),
            registrationEnabled: try reader.bool("ARKYRA_REGISTRATION_ENABLED", default: true),
            maxBodyBytes: try reader.int("ARKYRA_MAX_BODY_BYTES", default: 1024 * 1024, in: 1024...(512 * 1024 * 1024)),
            migrateOnStart: try reader.bool("ARKYRA_MIGRATE_ON_START", default: true)
        )
    }
}
