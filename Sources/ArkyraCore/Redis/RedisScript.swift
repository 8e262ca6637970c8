import Crypto
import Foundation
import NIOCore

/// A Lua script run with EVALSHA, falling back to EVAL when Redis does not know it yet (after a restart or
/// SCRIPT FLUSH), which also loads it for the next call.
package struct RedisScript: Sendable {
    package let source: String
    package let sha1: String

    package init(_ source: String) {
        self.source = source
        self.sha1 = Insecure.SHA1.hash(data: Array(source.utf8)).hexString
    }
}

extension RedisClient {
    /// Loads `script` (SCRIPT LOAD), so EVALSHA calls sent in a pipeline find it.
    package func load(_ script: RedisScript) async throws {
        try await send(RedisCommand("SCRIPT", "LOAD", .string(script.source)))
    }

    /// Runs `script` with `keys` and `arguments`.
    /// - Throws: ``RedisError`` `.server` when the script raises an error.
    @discardableResult
    package func run(_ script: RedisScript, keys: [String], arguments: [RedisArgument] = []) async throws -> RESPValue {
        let tail: [RedisArgument] = [.int(keys.count)] + keys.map { .string($0) } + arguments
        do {
            return try await send(RedisCommand("EVALSHA", [.string(script.sha1)] + tail))
        } catch let error as RedisError where error.serverPrefix == "NOSCRIPT" {
            return try await send(RedisCommand("EVAL", [.string(script.source)] + tail))
        }
    }
}
