import HummingbirdBcrypt
import NIOPosix

/// Hashes and verifies passwords with bcrypt on NIO's thread pool, so the deliberately slow hash never
/// occupies a thread of Swift's cooperative pool.
public struct PasswordHasher: Sendable {
    /// bcrypt reads at most 72 bytes; longer passwords are refused rather than silently truncated.
    public static let maximumBytes = 72
    public static let minimumCharacters = 8

    public let cost: Int
    private let threadPool: NIOThreadPool

    public init(cost: Int, threadPool: NIOThreadPool = .singleton) {
        self.cost = cost
        self.threadPool = threadPool
    }

    /// The bcrypt hash of `password` (salt included).
    public func hash(_ password: String) async throws -> String {
        let cost = UInt8(cost)
        return try await threadPool.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`.
    public func verify(_ password: String, against hash: String) async throws -> Bool {
        try await threadPool.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
