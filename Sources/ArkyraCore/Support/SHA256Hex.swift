import Crypto
import Foundation

extension Data {
    /// The SHA-256 digest as lowercase hexadecimal (content hashes, SigV4 payload hashes).
    package var sha256Hex: String { Data(SHA256.hash(data: self)).hexString }
}

extension SHA256.Digest {
    /// The digest as lowercase hexadecimal.
    package var hex: String { Data(self).hexString }
}
