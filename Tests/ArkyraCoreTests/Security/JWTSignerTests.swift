@testable import ArkyraCore
import Foundation
import Testing

@Suite("Access tokens (JWT, HS256)")
struct JWTSignerTests {
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
}
