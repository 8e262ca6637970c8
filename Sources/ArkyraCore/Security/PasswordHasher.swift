import HummingbirdBcrypt
import NIOPosix

/// Hashes and verifies passwords with bcrypt on NIO's thread pool, so the deliberately slow hash never
/// occupies a thread of Swift's cooperative pool.
package struct PasswordHasher: Sendable {
    /// bcrypt reads at most 72 bytes; longer passwords are refused rather than silently truncated.
    package static let maximumBytes = 72
    package static let minimumCharacters = 8

    package let cost: Int
    private let threadPool: NIOThreadPool

    package init(cost: Int, threadPool: NIOThreadPool = .singleton) {
        self.cost = cost
        self.threadPool = threadPool
    }

    /// The bcrypt hash of `password` (salt included).
    package func hash(_ password: String) async throws -> String {
        let cost = UInt8(cost)
        return try await threadPool.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`.
    package func verify(_ password: String, against hash: String) async throws -> Bool {
        try await threadPool.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
