import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// API keys of the public API: created (the secret is returned once), listed, revoked, and checked on every
/// public request.
struct APIKeyService: Sendable {
    let database: Database
    let keys: APIKeyRepository
    let audit: AuditRepository
    let logger: Logger

    /// A new key with its secret.
    struct CreatedKey: Encodable {
        var apiKey: APIKey
        /// Shown once; only its hash is stored.
        var key: String
    }

    func create(organizationID: UUID, name rawName: String, by userID: UUID, origin: RequestOrigin) async throws -> CreatedKey {
        let name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count) else { throw APIError.validation(["name": "must be 1 to 100 characters"]) }
        let secret = SecretToken.generate(prefix: "ark_")
        let created = try await database.inTransaction(logger: logger) { connection in
            let key = try await keys.create(
                organizationID: organizationID, name: name, prefix: String(secret.prefix(12)), keyHash: SecretToken.hash(secret),
                createdBy: userID, on: connection
            )
            try await audit.record(
                AuditEvent(organizationID: organizationID, actorUserID: userID, action: "api_key.created", targetType: "api_key",
                           targetID: key.id.uuidString, origin: origin),
                on: connection
            )
            return key
        }
        return CreatedKey(apiKey: created, key: secret)
    }

    func list(organizationID: UUID) async throws -> [APIKey] {
        try await keys.list(organizationID: organizationID, client: database)
    }

    func revoke(_ id: UUID, organizationID: UUID, by userID: UUID, origin: RequestOrigin) async throws {
        let event = AuditEvent(organizationID: organizationID, actorUserID: userID, action: "api_key.revoked", targetType: "api_key",
                               targetID: id.uuidString, origin: origin)
        let revoked = try await audit.recordingIfChanged(event, database: database, logger: logger) { connection in
            try await keys.revoke(id: id, organizationID: organizationID, on: connection)
        }
        if !revoked { throw APIError.notFound("API key") }
    }

    /// The key and organization a presented secret belongs to, or nil.
    /// The key's id and organization.
    /// - Throws: 401 `invalid_api_key` for an unknown or revoked key, 401 `api_key_creator_left` for a key
    ///   whose creator is no longer an owner or admin of the organization.
    func authenticate(_ secret: String) async throws -> (keyID: UUID, organizationID: UUID) {
        let invalid = APIError(.unauthorized, "invalid_api_key", "the API key is not valid (unknown or revoked)")
        guard secret.hasPrefix("ark_"), secret.count < 200 else { throw invalid }
        switch try await keys.authenticate(keyHash: SecretToken.hash(secret), client: database) {
        case .valid(let keyID, let organizationID): return (keyID, organizationID)
        case .unknown: throw invalid
        case .creatorLeft:
            throw APIError(.unauthorized, "api_key_creator_left",
                           "the person who created this API key is no longer an owner or admin of the organization; an admin must create a new key")
        }
    }
}
