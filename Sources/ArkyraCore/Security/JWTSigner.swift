import Crypto
import Foundation

/// Signs and verifies compact JWTs with HMAC-SHA256 (`alg: HS256`), ARKYRA's access tokens.
package struct JWTSigner: Sendable {
    private let key: SymmetricKey
    package let issuer: String

    package init(secret: [UInt8], issuer: String = "arkyra") {
        self.key = SymmetricKey(data: secret)
        self.issuer = issuer
    }

    /// The claims ARKYRA puts in an access token.
    package struct Claims: Codable, Sendable, Equatable {
        /// The user id.
        package var sub: String
        package var iss: String
        /// Issued at and expiry, seconds since 1970.
        package var iat: Int
        package var exp: Int
        /// A unique token id.
        package var jti: String
        /// The session (login) the token belongs to; logging out or revoking the session ends the token too.
        package var sid: String?

        package init(sub: String, iss: String, iat: Int, exp: Int, jti: String, sid: String? = nil) {
            self.sub = sub
            self.iss = iss
            self.iat = iat
            self.exp = exp
            self.jti = jti
            self.sid = sid
        }
    }

    /// Why a token was refused.
    package enum VerificationError: Error, Equatable {
        case malformed, badSignature, expired, wrongIssuer
    }

    /// The header of every token ARKYRA signs, encoded: a token with any other header is not one of ours.
    static let encodedHeader = base64URL(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    /// A signed token for `subject` (in session `sessionID`) valid for `lifetime` from `now`.
    package func sign(subject: String, sessionID: String? = nil, lifetime: Duration, now: Date = Date()) throws -> String {
        let issued = Int(now.timeIntervalSince1970)
        let claims = Claims(
            sub: subject, iss: issuer, iat: issued, exp: issued + Int(lifetime.components.seconds), jti: UUID().uuidString, sid: sessionID
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let payload = Self.base64URL(try encoder.encode(claims))
        let signingInput = "\(Self.encodedHeader).\(payload)"
        let signature = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: key)
        return "\(signingInput).\(Self.base64URL(Data(signature)))"
    }

    /// The claims of a valid token.
    /// - Throws: ``VerificationError`` when the token is malformed, forged, expired or from another issuer.
    package func verify(_ token: String, now: Date = Date()) throws -> Claims {
        let parts = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].elementsEqual(Self.encodedHeader.utf8),
              let signature = Self.decodeBase64URL(parts[2]),
              let payload = Self.decodeBase64URL(parts[1])
        else { throw VerificationError.malformed }
        let signingInput = token.utf8[parts[0].startIndex..<parts[1].endIndex]
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Data(signingInput), using: key) else {
            throw VerificationError.badSignature
        }
        guard let claims = try? JSONDecoder().decode(Claims.self, from: payload) else { throw VerificationError.malformed }
        guard claims.iss == issuer else { throw VerificationError.wrongIssuer }
        guard Double(claims.exp) > now.timeIntervalSince1970 else { throw VerificationError.expired }
        return claims
    }

    package static func base64URL(_ data: Data) -> String {
        String(decoding: data.base64EncodedData().compactMap { byte -> UInt8? in
            switch byte {
            case UInt8(ascii: "+"): UInt8(ascii: "-")
            case UInt8(ascii: "/"): UInt8(ascii: "_")
            case UInt8(ascii: "="): nil
            default: byte
            }
        }, as: UTF8.self)
    }

    /// Decodes unpadded base64url; nil when `text` is not that.
    package static func decodeBase64URL<Text: Collection>(_ text: Text) -> Data? where Text.Element == UInt8 {
        var base64 = [UInt8]()
        base64.reserveCapacity(text.count + 3)
        for byte in text {
            switch byte {
            case UInt8(ascii: "-"): base64.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): base64.append(UInt8(ascii: "/"))
            case UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="): return nil
            default: base64.append(byte)
            }
        }
        base64.append(contentsOf: repeatElement(UInt8(ascii: "="), count: (4 - base64.count % 4) % 4))
        return Data(base64Encoded: Data(base64))
    }
}
