import Crypto
import Foundation

/// Proof Key for Code Exchange (RFC 7636): a secret verifier kept by ARKYRA, and its S256 challenge sent
/// with the consent request, so that a stolen authorization code is useless without the verifier.
package enum PKCE {
    /// 32 random bytes, base64url: 43 characters, within the 43–128 the RFC allows.
    package static func makeVerifier() -> String {
        base64URL(Data((0..<32).map { _ in UInt8.random(in: 0...255) }))
    }

    /// `BASE64URL(SHA256(verifier))`.
    package static func challenge(for verifier: String) -> String {
        base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    package static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
