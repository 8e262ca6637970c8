@testable import ArkyraCore
import ArkyraTestSupport
import Foundation
import Testing

@Suite("Channels: reconnecting an account")
struct ReconnectTests {
    let logger = TestEnvironment.logger

    @Test("a channel reconnected gets the new tokens and is connected again; a consent without a refresh token keeps the one it had")
    func keepsRefreshToken() async throws {
        try await TestEnvironment.withDatabase { database, _ in
            let secrets = ChannelSecrets(cipher: TokenCipher(keys: [SecurityConfiguration.EncryptionKey(id: "k", bytes: Array(repeating: 3, count: 32))]))
            let repository = IntegrationRepository(logger: logger)
            let organization = try await database.inTransaction(logger: logger) { connection in
                let user = try await UserRepository(logger: logger).create(email: "r@example.com", passwordHash: "x", name: "R", on: connection)
                return try await OrganizationRepository(logger: logger).create(name: "Org", ownerID: user.id, on: connection).id
            }
            let id = UUID()
            func new(_ credentials: ProviderCredentials, sealedFor owner: UUID) throws -> IntegrationRepository.NewIntegration {
                .init(id: UUID(), organizationID: organization, provider: "youtube", externalID: "channel-1", name: "Ada", username: "ada",
                      avatarURL: nil, instanceURL: nil, credentials: try secrets.seal(credentials, integrationID: owner))
            }
            var first = try new(ProviderCredentials(accessToken: "a1", refreshToken: "r1", instanceURL: nil), sealedFor: id)
            first.id = id
            _ = try await database.inTransaction(logger: logger) { try await repository.create(first, on: $0) }
            try await database.query("UPDATE integrations SET state = 'refresh_needed' WHERE id = \(id)")

            let again = try new(ProviderCredentials(accessToken: "a2", refreshToken: nil, instanceURL: nil), sealedFor: id)
            let reconnected = try await database.inTransaction(logger: logger) { connection -> Integration? in
                guard let existing = try await repository.reconnectableID(for: again, on: connection) else { return nil }
                return try await repository.reconnect(id: existing, with: again, on: connection)
            }
            #expect(reconnected?.id == id)
            #expect(reconnected?.state == .connected)
            let stored = try #require(try await repository.withCredentials(id: id, organizationID: organization, client: database))
            let opened = try secrets.open(stored.credentials, integrationID: id, instanceURL: nil)
            #expect(opened.accessToken == "a2")
            #expect(opened.refreshToken == "r1")
        }
    }
}
