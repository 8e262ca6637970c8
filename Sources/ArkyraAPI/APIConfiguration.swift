import ArkyraCore
import Foundation

/// Everything `arkyra-api` reads at start-up.
package struct APIConfiguration: Sendable {
    package var service: ServiceConfiguration
    package var security: SecurityConfiguration
    package var host: String
    package var port: Int
    /// Whether anyone may register (off for invite-only installations).
    package var registrationEnabled: Bool
    /// Request bodies larger than this are refused with 413 before they are read.
    package var maxBodyBytes: Int
    /// Whether the API applies pending migrations before it starts serving (replicas take turns).
    package var migrateOnStart: Bool
    package var rateLimits: RateLimits
    /// The same text on the same channel within this many hours is reported as a duplicate when scheduling.
    package var duplicateWindowHours: Int
    /// Email (activation, password reset); off when no SMTP relay is configured.
    package var mail: MailConfiguration
    /// Reverse proxies whose `X-Forwarded-For` names the client (none by default: the peer is the client).
    package var trustedProxies: [IPRange] = []
    /// How long a connection may take to send a request's head (from opening, or after a response) before
    /// it is closed, and how long it may stay silent.
    package var headerTimeout: Duration = .seconds(30)
    package var idleTimeout: Duration = .seconds(60)

    /// Requests allowed per minute (sliding window, shared by all API instances through Redis).
    package struct RateLimits: Sendable {
        /// Per logged-in user, over the whole API.
        package var perUser: Int
        /// Per organization, over the routes of that organization and its public API keys together.
        package var perOrganization: Int
        /// Per public API key.
        package var perAPIKey: Int
        /// Per client address, for requests without a user (register, login, refresh).
        package var perAddress: Int

        package init(perUser: Int = 600, perOrganization: Int = 1200, perAPIKey: Int = 120, perAddress: Int = 120) {
            self.perUser = perUser
            self.perOrganization = perOrganization
            self.perAPIKey = perAPIKey
            self.perAddress = perAddress
        }
    }

    package init(service: ServiceConfiguration, security: SecurityConfiguration, host: String = "127.0.0.1", port: Int = 8080,
                 registrationEnabled: Bool = true, maxBodyBytes: Int = 1024 * 1024, migrateOnStart: Bool = true,
                 rateLimits: RateLimits = RateLimits(), duplicateWindowHours: Int = 24, mail: MailConfiguration = MailConfiguration()) {
        self.service = service
        self.security = security
        self.host = host
        self.port = port
        self.registrationEnabled = registrationEnabled
        self.maxBodyBytes = maxBodyBytes
        self.migrateOnStart = migrateOnStart
        self.rateLimits = rateLimits
        self.duplicateWindowHours = duplicateWindowHours
        self.mail = mail
    }

    /// Reads the shared keys plus `ARKYRA_API_HOST`, `ARKYRA_API_PORT`, `ARKYRA_REGISTRATION_ENABLED` and
    /// `ARKYRA_MAX_BODY_BYTES`, `ARKYRA_MIGRATE_ON_START` the `ARKYRA_RATE_LIMIT_*_PER_MINUTE` keys, `ARKYRA_DUPLICATE_WINDOW_HOURS`, `ARKYRA_TRUSTED_PROXIES`, `ARKYRA_HTTP_HEADER_TIMEOUT_SECONDS`,
    /// `ARKYRA_HTTP_IDLE_TIMEOUT_SECONDS` and the mail keys.
    package init(reader: EnvironmentReader) throws {
        self.init(
            service: try ServiceConfiguration(reader: reader, defaultAdminPort: 9100),
            security: try SecurityConfiguration(reader: reader),
            host: reader.string("ARKYRA_API_HOST", default: "127.0.0.1"),
            port: try reader.int("ARKYRA_API_PORT", default: 8080, in: 0...65535),
            registrationEnabled: try reader.bool("ARKYRA_REGISTRATION_ENABLED", default: true),
            maxBodyBytes: try reader.int("ARKYRA_MAX_BODY_BYTES", default: 1024 * 1024, in: 1024...(512 * 1024 * 1024)),
            migrateOnStart: try reader.bool("ARKYRA_MIGRATE_ON_START", default: true),
            rateLimits: RateLimits(
                perUser: try reader.int("ARKYRA_RATE_LIMIT_USER_PER_MINUTE", default: 600, in: 1...1_000_000),
                perOrganization: try reader.int("ARKYRA_RATE_LIMIT_ORGANIZATION_PER_MINUTE", default: 1200, in: 1...1_000_000),
                perAPIKey: try reader.int("ARKYRA_RATE_LIMIT_API_KEY_PER_MINUTE", default: 120, in: 1...1_000_000),
                perAddress: try reader.int("ARKYRA_RATE_LIMIT_ADDRESS_PER_MINUTE", default: 120, in: 1...1_000_000)
            ),
            duplicateWindowHours: try reader.int("ARKYRA_DUPLICATE_WINDOW_HOURS", default: 24, in: 0...8760),
            mail: try MailConfiguration(reader: reader)
        )
        trustedProxies = try Self.ranges(reader.string("ARKYRA_TRUSTED_PROXIES", default: ""), key: "ARKYRA_TRUSTED_PROXIES")
        headerTimeout = .seconds(try reader.int("ARKYRA_HTTP_HEADER_TIMEOUT_SECONDS", default: 30, in: 1...3600))
        idleTimeout = .seconds(try reader.int("ARKYRA_HTTP_IDLE_TIMEOUT_SECONDS", default: 60, in: 1...86_400))
    }

    /// `10.0.0.0/8, 192.168.1.5` → the ranges; an entry that is not an address or a CIDR block is an error.
    static func ranges(_ text: String, key: String) throws -> [IPRange] {
        try text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { entry in
            guard let range = IPRange(entry) else {
                throw ConfigurationError(key: key, problem: "has '\(entry)', which is not an IP address or CIDR block such as 10.0.0.0/8")
            }
            return range
        }
    }
}
