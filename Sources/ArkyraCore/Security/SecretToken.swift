import Crypto
import Foundation

/// Random bearer secrets (refresh tokens, invitation links, API keys): 32 random bytes, base64url, behind a
/// readable prefix. Only their SHA-256 is stored; with this much entropy a slow hash adds nothing.
package enum SecretToken {
    /// A new secret starting with `prefix` (such as `ark_`).
    package static func generate(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix + JWTSigner.base64URL(Data(bytes))
    }

    /// What is stored in place of `secret`.
    package static func hash(_ secret: String) -> Data {
        Data(SHA256.hash(data: Data(secret.utf8)))
    }
}
