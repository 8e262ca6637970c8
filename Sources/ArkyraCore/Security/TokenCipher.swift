import Crypto
import Foundation

/// Encrypts platform tokens at rest with AES-256-GCM. Ciphertexts read `keyid:base64(nonce|ciphertext|tag)`,
/// so keys can rotate: the first configured key encrypts, any configured key decrypts.
public struct TokenCipher: Sendable {
    private let keys: [(id: String, key: SymmetricKey)]

    /// Why a ciphertext could not be opened.
    public enum CipherError: Error, Equatable {
        case malformed
        case unknownKey(String)
        case authenticationFailed
    }

    public init(keys: [SecurityConfiguration.EncryptionKey]) {
        precondition(!keys.isEmpty, "SecurityConfiguration guarantees at least one key")
        self.keys = keys.map { ($0.id, SymmetricKey(data: $0.bytes)) }
    }

    /// Encrypts `plaintext` with the current key.
    public func seal(_ plaintext: String) throws -> String {
        let current = keys[0]
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: current.key)
        guard let combined = box.combined else { throw CipherError.malformed }
        return "\(current.id):\(combined.base64EncodedString())"
    }

    /// Decrypts a value made by ``seal(_:)`` with any configured key.
    /// - Throws: ``CipherError``.
    public func open(_ sealed: String) throws -> String {
        guard let colon = sealed.firstIndex(of: ":"),
              let combined = Data(base64Encoded: String(sealed[sealed.index(after: colon)...]))
        else { throw CipherError.malformed }
        let keyID = String(sealed[..<colon])
        guard let key = keys.first(where: { $0.id == keyID })?.key else { throw CipherError.unknownKey(keyID) }
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            return String(decoding: try AES.GCM.open(box, using: key), as: UTF8.self)
        } catch {
            throw CipherError.authenticationFailed
        }
    }
}
