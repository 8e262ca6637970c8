import Crypto
import Foundation

/// Signs and verifies compact JWTs with HMAC-SHA256 (`alg: HS256`), ARKYRA's access tokens.
public struct JWTSigner: Sendable {
    private let key: SymmetricKey
    public let issuer: String

    public init(secret: [UInt8], issuer: String = "arkyra") {
        self.key = SymmetricKey(data: secret)
        self.issuer = issuer
    }

    /// The claims ARKYRA puts in an access token.
    public struct Claims: Codable, Sendable, Equatable {
        /// The user id.
        public var sub: String
        public var iss: String
        /// Issued at and expiry, seconds since 1970.
        public var iat: Int
        public var exp: Int
        /// A unique token id.
        public var jti: String
        /// The session (login) the token belongs to; logging out or revoking the session ends the token too.
        public var sid: String?

        public init(sub: String, iss: String, iat: Int, exp: Int, jti: String, sid: String? = nil) {
            self.sub = sub
            self.iss = iss
            self.iat = iat
            self.exp = exp
            self.jti = jti
            self.sid = sid
        }
    }

    /// Why a token was refused.
    public enum VerificationError: Error, Equatable {
        case malformed, badSignature, expired, wrongIssuer
    }

    /// A signed token for `subject` (in session `sessionID`) valid for `lifetime` from `now`.
    public func sign(subject: String, sessionID: String? = nil, lifetime: Duration, now: Date = Date()) throws -> String {
        let issued = Int(now.timeIntervalSince1970)
        let claims = Claims(
            sub: subject, iss: issuer, iat: issued, exp: issued + Int(lifetime.components.seconds), jti: UUID().uuidString, sid: sessionID
        )
        let header = Self.base64URL(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let payload = Self.base64URL(try encoder.encode(claims))
        let signingInput = "\(header).\(payload)"
        let signature = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: key)
        return "\(signingInput).\(Self.base64URL(Data(signature)))"
    }

    /// The claims of a valid token.
    /// - Throws: ``VerificationError`` when the token is malformed, forged, expired or from another issuer.
    public func verify(_ token: String, now: Date = Date()) throws -> Claims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerData = Self.decodeBase64URL(String(parts[0])),
              let header = try? JSONDecoder().decode([String: String].self, from: headerData),
              header["alg"] == "HS256",
              let signature = Self.decodeBase64URL(String(parts[2])),
              let payload = Self.decodeBase64URL(String(parts[1]))
        else { throw VerificationError.malformed }
        let signingInput = Data("\(parts[0]).\(parts[1])".utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key) else {
            throw VerificationError.badSignature
        }
        guard let claims = try? JSONDecoder().decode(Claims.self, from: payload) else { throw VerificationError.malformed }
        guard claims.iss == issuer else { throw VerificationError.wrongIssuer }
        guard Double(claims.exp) > now.timeIntervalSince1970 else { throw VerificationError.expired }
        return claims
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
