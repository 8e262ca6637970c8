/// A failure talking to Redis, with a code callers can switch on.
package struct RedisError: Error, CustomStringConvertible, Sendable, Equatable {
    package enum Code: String, Sendable {
        /// Redis answered with an error reply (`-ERR ...`, `-NOSCRIPT ...`).
        case server
        /// The connection closed before the reply arrived.
        case connectionClosed
        /// Could not connect (or is backing off after failing to).
        case unavailable
        /// The command's deadline passed.
        case timeout
        /// Bytes that are not valid RESP.
        case protocolViolation
        /// A reply of a type the command does not answer with.
        case unexpectedReply
    }

    package let code: Code
    package let message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The error's prefix as Redis sends it (`NOSCRIPT`, `BUSYGROUP`, `WRONGTYPE`, ...), for server errors.
    package var serverPrefix: String? {
        guard code == .server else { return nil }
        return message.split(separator: " ", maxSplits: 1).first.map(String.init)
    }

    package var description: String { "redis \(code.rawValue): \(message)" }
}
