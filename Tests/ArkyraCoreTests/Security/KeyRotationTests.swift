@testable import ArkyraCore
import ArkyraTestSupport
import Crypto
import Foundation
import Testing

@Suite("Key rotation")
struct KeyRotationTests {
    let old = SecurityConfiguration.EncryptionKey(id: "old", bytes: Array(repeating: 7, count: 32))
    let new = SecurityConfiguration.EncryptionKey(id: "new", bytes: Array(repeating: 9, count: 32))
    let logger = TestEnvironment.logger

    @Test("keys rotate re-encrypts channels' tokens and dead emails under the newest key, leaving refreshing channels for later")
    func rotatesEverySecret() async throws {
        try await TestEnvironment.withDatabase { database, _ in
            let oldSecrets = ChannelSecrets(cipher: TokenCipher(keys: [old]))
            let organization = try await database.inTransaction(logger: logger) { connection in
                let user = try await UserRepository(logger: logger).create(email: "k@example.com", passwordHash: "x", name: "K", on: connection)
                return try await OrganizationRepository(logger: logger).create(name: "Org", ownerID: user.id, on: connection).id
            }
            func channel(_ name: String, _ credentials: (UUID) throws -> IntegrationRepository.StoredCredentials) async throws -> UUID {
                let id = UUID()
                let stored = try credentials(id)
                return try await database.inTransaction(logger: logger) { connection in
                    try await IntegrationRepository(logger: logger).create(.init(
                        id: id, organizationID: organization, provider: "bluesky", externalID: name, name: name, username: name,
                        avatarURL: nil, instanceURL: nil, credentials: stored
                    ), on: connection).id
                }
            }
            let bound = try await channel("bound") {
                try oldSecrets.seal(ProviderCredentials(accessToken: "a1", refreshToken: "r1", instanceURL: nil), integrationID: $0)
            }
            // Written before ciphertexts were bound: no associated data.
            let legacyBox = try AES.GCM.seal(Data("a2".utf8), using: SymmetricKey(data: old.bytes))
            let legacy = try await channel("legacy") { _ in
                .init(encryptedAccessToken: "old:" + legacyBox.combined!.base64EncodedString())
            }
            let refreshing = try await channel("refreshing") {
                try oldSecrets.seal(ProviderCredentials(accessToken: "a3", instanceURL: nil), integrationID: $0)
            }
            try await database.query("UPDATE integrations SET refresh_lease_until = now() + interval '1 hour' WHERE id = \(refreshing)")
            let email = try EmailJob(to: "x@example.com", subject: "Reset", body: "https://example.com/reset/secret")
                .job(cipher: TokenCipher(keys: [old]), requestID: nil)
            try await DeadJobRepository(client: database, logger: logger).bury(email, queue: .notification, deliveries: 5, error: "smtp down")

            let rotation = KeyRotation(database: database, cipher: TokenCipher(keys: [new, old]), logger: logger, waitForBusy: .seconds(1))
            let first = try await rotation.run()
            #expect(first.rewritten == 3)
            #expect(first.busy == [refreshing])
            #expect(first.unreadable.isEmpty)

            try await database.query("UPDATE integrations SET refresh_lease_until = NULL WHERE id = \(refreshing)")
            let second = try await rotation.run()
            #expect(second.rewritten == 1)
            #expect(second.current == 3)
            #expect(second.isComplete)

            // The old key can go now: everything opens with the new one alone, bound to its row.
            let newOnly = ChannelSecrets(cipher: TokenCipher(keys: [new]))
            let integrations = IntegrationRepository(logger: logger)
            for (id, access) in [(bound, "a1"), (legacy, "a2"), (refreshing, "a3")] {
                let stored = try #require(try await integrations.withCredentials(id: id, organizationID: organization, client: database)).credentials
                #expect(stored.encryptedAccessToken.hasPrefix("v2:new:"))
                #expect(try newOnly.open(stored, integrationID: id, instanceURL: nil).accessToken == access)
            }
            let boundStored = try #require(try await integrations.withCredentials(id: bound, organizationID: organization, client: database)).credentials
            #expect(try newOnly.open(boundStored, integrationID: bound, instanceURL: nil).refreshToken == "r1")
            let deadText = try #require(try await database.query("SELECT job::text FROM dead_jobs").decode(String.self).first(where: { _ in true }))
            let dead = try #require(try EmailJob(try Job.decode(deadText), cipher: TokenCipher(keys: [new])))
            #expect(dead.body == "https://example.com/reset/secret")
        }
    }

    @Test("a secret no configured key opens is reported, and the others are still rotated")
    func reportsUnreadable() async throws {
        try await TestEnvironment.withDatabase { database, _ in
            let stranger = SecurityConfiguration.EncryptionKey(id: "lost", bytes: Array(repeating: 1, count: 32))
            let email = try EmailJob(to: "x@example.com", subject: "s", body: "b").job(cipher: TokenCipher(keys: [stranger]), requestID: nil)
            let readable = try EmailJob(to: "y@example.com", subject: "s", body: "b").job(cipher: TokenCipher(keys: [old]), requestID: nil)
            let dead = DeadJobRepository(client: database, logger: logger)
            try await dead.bury(email, queue: .notification, deliveries: 5, error: "x")
            try await dead.bury(readable, queue: .notification, deliveries: 5, error: "x")
            let report = try await KeyRotation(database: database, cipher: TokenCipher(keys: [new, old]), logger: logger).run()
            #expect(report.rewritten == 1)
            #expect(report.unreadable.count == 1)
            #expect(report.unreadable.first?.contains("unknownKey(\"lost\")") == true)
            #expect(!report.isComplete)
        }
    }
}
