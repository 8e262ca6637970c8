import Crypto
import Foundation

/// The browser session's CSRF token: an HMAC of the session id under a key derived from the server's
/// secret, so it needs no storage, dies with the session and cannot be made by another site. Every
/// state-changing request that a cookie authenticates must carry it (a form field or `X-CSRF-Token`).
package struct CSRFToken: Sendable {
    private let key: SymmetricKey

    package init(secret: [UInt8]) {
        // A key of its own, so a CSRF token is never also a valid MAC of anything else the secret signs.
        key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array("arkyra-csrf".utf8), using: SymmetricKey(data: secret)))
    }

    package func token(for sessionID: UUID) -> String {
        JWTSigner.base64URL(Data(HMAC<SHA256>.authenticationCode(for: Array(sessionID.uuidString.lowercased().utf8), using: key)))
    }

    package func matches(_ presented: String, sessionID: UUID) -> Bool {
        Self.equal(presented, token(for: sessionID))
    }

    /// Compares in constant time (for the length of the expected token).
    package static func equal(_ presented: String, _ expected: String) -> Bool {
        let expected = Array(expected.utf8)
        let given = Array(presented.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// A random token for forms shown before there is a session (login, sign-up): kept in a cookie and
    /// repeated in the form (double submit).
    package static func random() -> String {
        SecretToken.generate(prefix: "f_")
    }
}
