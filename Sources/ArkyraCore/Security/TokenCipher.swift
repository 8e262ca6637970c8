import Crypto
import Foundation

/// Encrypts secrets at rest with AES-256-GCM, each bound to where it is stored. A ciphertext reads
/// `v2:keyid:base64(nonce|ciphertext|tag)` and was sealed with its place (say
/// `integrations.access_token_encrypted:<row id>`) as associated data, so a ciphertext copied to another
/// row or column does not open. Keys rotate: the first configured key encrypts, any configured key decrypts,
/// and `arkyra-api keys rotate` re-encrypts every stored secret under the first.
///
/// Ciphertexts written before binding read `keyid:base64` and carry no associated data; they still open,
/// and `keys rotate` rewrites them bound.
package struct TokenCipher: Sendable {
    private let keys: [(id: String, key: SymmetricKey)]
    private static let boundVersion = "v2"

    /// Why a ciphertext could not be opened.
    package enum CipherError: Error, Equatable {
        case malformed
        case unknownKey(String)
        /// The key or the place is wrong, or the ciphertext was altered.
        case authenticationFailed
    }

    package init(keys: [SecurityConfiguration.EncryptionKey]) {
        precondition(!keys.isEmpty, "SecurityConfiguration guarantees at least one key")
        self.keys = keys.map { ($0.id, SymmetricKey(data: $0.bytes)) }
    }

    /// Encrypts `plaintext` with the current key, bound to `place`.
    package func seal(_ plaintext: String, boundTo place: String) throws -> String {
        let current = keys[0]
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: current.key, authenticating: Data(place.utf8))
        guard let combined = box.combined else { throw CipherError.malformed }
        return "\(Self.boundVersion):\(current.id):\(combined.base64EncodedString())"
    }

    /// Decrypts a value made by ``seal(_:boundTo:)`` for the same `place`, with any configured key.
    /// - Throws: ``CipherError``.
    package func open(_ sealed: String, boundTo place: String) throws -> String {
        let parsed = try Self.parse(sealed)
        guard let key = keys.first(where: { $0.id == parsed.keyID })?.key else { throw CipherError.unknownKey(parsed.keyID) }
        do {
            let box = try AES.GCM.SealedBox(combined: parsed.combined)
            let plaintext = parsed.bound
                ? try AES.GCM.open(box, using: key, authenticating: Data(place.utf8))
                : try AES.GCM.open(box, using: key)
            return String(decoding: plaintext, as: UTF8.self)
        } catch {
            throw CipherError.authenticationFailed
        }
    }

    /// Whether `sealed` is bound and encrypted with the current key: nothing for a rotation to do.
    package func isCurrent(_ sealed: String) -> Bool {
        guard let parsed = try? Self.parse(sealed) else { return false }
        return parsed.bound && parsed.keyID == keys[0].id
    }

    /// Opens `sealed` and seals it again with the current key, bound to `place`.
    package func reseal(_ sealed: String, boundTo place: String) throws -> String {
        try seal(try open(sealed, boundTo: place), boundTo: place)
    }

    private static func parse(_ sealed: String) throws -> (bound: Bool, keyID: String, combined: Data) {
        let parts = sealed.split(separator: ":", omittingEmptySubsequences: false)
        let bound = parts.count == 3 && parts[0] == boundVersion
        guard bound || parts.count == 2, let combined = Data(base64Encoded: String(parts[parts.count - 1])) else {
            throw CipherError.malformed
        }
        return (bound, String(parts[parts.count - 2]), combined)
    }
}
