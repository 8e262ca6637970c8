@testable import ArkyraCore
import Crypto
import Foundation
import Testing

@Suite("Secrets at rest (AES-GCM)")
struct TokenCipherTests {
    @Test("tokens encrypt with the first key and decrypt after rotation")
    func cipherRotation() throws {
        let old = SecurityConfiguration.EncryptionKey(id: "old", bytes: Array(repeating: 1, count: 32))
        let new = SecurityConfiguration.EncryptionKey(id: "new", bytes: Array(repeating: 2, count: 32))
        let place = "integrations.access_token_encrypted:1"
        let sealedWithOld = try TokenCipher(keys: [old]).seal("secret-token", boundTo: place)
        #expect(!sealedWithOld.contains("secret-token"))
        #expect(sealedWithOld.hasPrefix("v2:old:"))
        let rotated = TokenCipher(keys: [new, old])
        #expect(try rotated.open(sealedWithOld, boundTo: place) == "secret-token")
        #expect(!rotated.isCurrent(sealedWithOld))
        let resealed = try rotated.reseal(sealedWithOld, boundTo: place)
        #expect(resealed.hasPrefix("v2:new:"))
        #expect(rotated.isCurrent(resealed))
        #expect(try TokenCipher(keys: [new]).open(resealed, boundTo: place) == "secret-token")
        #expect(throws: TokenCipher.CipherError.unknownKey("old")) { try TokenCipher(keys: [new]).open(sealedWithOld, boundTo: place) }
        var bytes = try #require(Data(base64Encoded: String(sealedWithOld.dropFirst("v2:old:".count))))
        bytes[bytes.count / 2] ^= 0x01
        #expect(throws: TokenCipher.CipherError.authenticationFailed) {
            try rotated.open("v2:old:" + bytes.base64EncodedString(), boundTo: place)
        }
        #expect(throws: TokenCipher.CipherError.malformed) { try rotated.open("v3:old:AAAA", boundTo: place) }
    }

    @Test("a ciphertext opens only in the row and column it was sealed for")
    func cipherBinding() throws {
        let cipher = TokenCipher(keys: [SecurityConfiguration.EncryptionKey(id: "k", bytes: Array(repeating: 3, count: 32))])
        let secrets = ChannelSecrets(cipher: cipher)
        let channel = UUID(), other = UUID()
        let stored = try secrets.seal(ProviderCredentials(accessToken: "access", refreshToken: "refresh", instanceURL: nil), integrationID: channel)
        #expect(try secrets.open(stored, integrationID: channel, instanceURL: nil).accessToken == "access")
        #expect(throws: TokenCipher.CipherError.authenticationFailed) { try secrets.open(stored, integrationID: other, instanceURL: nil) }
        let swapped = IntegrationRepository.StoredCredentials(encryptedAccessToken: try #require(stored.encryptedRefreshToken),
                                                              encryptedRefreshToken: stored.encryptedAccessToken)
        #expect(throws: TokenCipher.CipherError.authenticationFailed) { try secrets.open(swapped, integrationID: channel, instanceURL: nil) }

        // A ciphertext from before binding (no associated data) still opens, and is not current.
        let legacy = try AES.GCM.seal(Data("old-token".utf8), using: SymmetricKey(data: Array(repeating: 3, count: 32)))
        let legacyText = "k:" + (try #require(legacy.combined)).base64EncodedString()
        #expect(try cipher.open(legacyText, boundTo: "anything") == "old-token")
        #expect(!cipher.isCurrent(legacyText))
        #expect(cipher.isCurrent(try cipher.reseal(legacyText, boundTo: "here")))
    }
}
