import Foundation

/// Secrets and costs of the security layer. Its description never prints a secret.
package struct SecurityConfiguration: Sendable, CustomStringConvertible {
    /// HMAC-SHA256 key that signs access tokens (at least 32 bytes).
    package var jwtSecret: [UInt8]
    package var accessTokenLifetime: Duration
    /// How long a session lasts without being used (each refresh extends it by this much).
    package var refreshTokenLifetime: Duration
    /// Keys that encrypt platform tokens at rest; the first encrypts, all decrypt (key rotation).
    package var encryptionKeys: [EncryptionKey]
    /// bcrypt cost factor (log2 of rounds).
    package var bcryptCost: Int

    /// One named AES-256 key.
    package struct EncryptionKey: Sendable {
        package var id: String
        package var bytes: [UInt8]
        package init(id: String, bytes: [UInt8]) {
            self.id = id
            self.bytes = bytes
        }
    }

    package init(jwtSecret: [UInt8], accessTokenLifetime: Duration = .seconds(900), refreshTokenLifetime: Duration = .seconds(30 * 86_400),
                 encryptionKeys: [EncryptionKey], bcryptCost: Int = 12) {
        self.jwtSecret = jwtSecret
        self.accessTokenLifetime = accessTokenLifetime
        self.refreshTokenLifetime = refreshTokenLifetime
        self.encryptionKeys = encryptionKeys
        self.bcryptCost = bcryptCost
    }

    /// Reads `ARKYRA_JWT_SECRET`, `ARKYRA_ACCESS_TOKEN_TTL_SECONDS`, `ARKYRA_SESSION_TTL_DAYS`, `ARKYRA_ENCRYPTION_KEYS`,
    /// `ARKYRA_BCRYPT_COST`.
    package init(reader: EnvironmentReader) throws {
        let secret = try reader.required("ARKYRA_JWT_SECRET")
        guard secret.utf8.count >= 32 else {
            throw ConfigurationError(key: "ARKYRA_JWT_SECRET", problem: "must be at least 32 characters")
        }
        self.init(
            jwtSecret: Array(secret.utf8),
            accessTokenLifetime: .seconds(try reader.int("ARKYRA_ACCESS_TOKEN_TTL_SECONDS", default: 900, in: 60...86_400)),
            refreshTokenLifetime: .seconds(86_400 * (try reader.int("ARKYRA_SESSION_TTL_DAYS", default: 30, in: 1...365))),
            encryptionKeys: try Self.encryptionKeys(reader: reader),
            bcryptCost: try reader.int("ARKYRA_BCRYPT_COST", default: 12, in: 4...31)
        )
    }

    /// Reads only `ARKYRA_ENCRYPTION_KEYS` (for commands that need no other secret).
    package static func encryptionKeys(reader: EnvironmentReader) throws -> [EncryptionKey] {
        try parseKeys(try reader.required("ARKYRA_ENCRYPTION_KEYS"))
    }

    /// Parses `id:base64,id:base64` where each key decodes to 32 bytes.
    static func parseKeys(_ text: String) throws -> [EncryptionKey] {
        let key = "ARKYRA_ENCRYPTION_KEYS"
        var keys: [EncryptionKey] = []
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let data = Data(base64Encoded: parts[1]), data.count == 32 else {
                throw ConfigurationError(key: key, problem: "entries must be id:base64 with a 32-byte key (openssl rand -base64 32)")
            }
            guard !keys.contains(where: { $0.id == parts[0] }) else {
                throw ConfigurationError(key: key, problem: "names key '\(parts[0])' twice")
            }
            keys.append(EncryptionKey(id: parts[0], bytes: Array(data)))
        }
        guard !keys.isEmpty else { throw ConfigurationError(key: key, problem: "must name at least one key") }
        return keys
    }

    package var description: String {
        "SecurityConfiguration(jwtSecret: <redacted>, encryptionKeys: \(encryptionKeys.map(\.id)), bcryptCost: \(bcryptCost))"
    }
}
