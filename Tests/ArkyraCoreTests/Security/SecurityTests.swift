@testable import ArkyraCore
import Foundation
import Testing

@Suite("Security primitives")
struct SecurityTests {
    let signer = JWTSigner(secret: Array("a-test-secret-that-is-long-enough-for-hs256".utf8))

    @Test("an access token round-trips and carries its subject")
    func jwtRoundTrip() throws {
        let token = try signer.sign(subject: "user-1", lifetime: .seconds(60))
        #expect(token.split(separator: ".").count == 3)
        #expect(try signer.verify(token).sub == "user-1")
    }

    @Test("tampered, foreign, expired and malformed tokens are refused")
    func jwtRefusals() throws {
        let token = try signer.sign(subject: "user-1", lifetime: .seconds(60))
        var parts = token.split(separator: ".").map(String.init)
        let forged = JWTSigner.base64URL(Data(#"{"sub":"admin","iss":"arkyra","iat":0,"exp":9999999999,"jti":"x"}"#.utf8))
        #expect(throws: JWTSigner.VerificationError.badSignature) { try signer.verify([parts[0], forged, parts[2]].joined(separator: ".")) }
        let other = JWTSigner(secret: Array("another-secret-that-is-long-enough-for-hs256".utf8))
        #expect(throws: JWTSigner.VerificationError.badSignature) { try other.verify(token) }
        #expect(throws: JWTSigner.VerificationError.expired) { try signer.verify(token, now: Date().addingTimeInterval(120)) }
        parts[0] = JWTSigner.base64URL(Data(#"{"alg":"none","typ":"JWT"}"#.utf8))
        #expect(throws: JWTSigner.VerificationError.malformed) { try signer.verify(parts.joined(separator: ".")) }
        #expect(throws: JWTSigner.VerificationError.malformed) { try signer.verify("not-a-token") }
    }

    @Test("tokens encrypt with the first key and decrypt after rotation")
    func cipherRotation() throws {
        let old = SecurityConfiguration.EncryptionKey(id: "old", bytes: Array(repeating: 1, count: 32))
        let new = SecurityConfiguration.EncryptionKey(id: "new", bytes: Array(repeating: 2, count: 32))
        let sealedWithOld = try TokenCipher(keys: [old]).seal("secret-token")
        #expect(!sealedWithOld.contains("secret-token"))
        #expect(sealedWithOld.hasPrefix("old:"))
        let rotated = TokenCipher(keys: [new, old])
        #expect(try rotated.open(sealedWithOld) == "secret-token")
        #expect(try rotated.seal("x").hasPrefix("new:"))
        #expect(throws: TokenCipher.CipherError.unknownKey("old")) { try TokenCipher(keys: [new]).open(sealedWithOld) }
        var bytes = try #require(Data(base64Encoded: String(sealedWithOld.dropFirst("old:".count))))
        bytes[bytes.count / 2] ^= 0x01
        #expect(throws: TokenCipher.CipherError.authenticationFailed) { try rotated.open("old:" + bytes.base64EncodedString()) }
    }

    @Test("bcrypt hashes verify the right password only")
    func passwords() async throws {
        let hasher = PasswordHasher(cost: 4)
        let hash = try await hasher.hash("correct horse")
        #expect(hash.hasPrefix("$2"))
        #expect(try await hasher.verify("correct horse", against: hash))
        #expect(try await hasher.verify("wrong horse", against: hash) == false)
    }
}
