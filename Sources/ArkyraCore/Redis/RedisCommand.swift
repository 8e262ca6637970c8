import NIOCore

/// One Redis command: its name and arguments, each sent as a bulk string.
package struct RedisCommand: Sendable {
    package var arguments: [RedisArgument]

    package init(_ name: String, _ arguments: [RedisArgument] = []) {
        self.arguments = [.string(name)] + arguments
    }

    package init(_ name: String, _ arguments: RedisArgument...) {
        self.init(name, arguments)
    }

    /// The command's name, for logs and metrics (never its arguments, which may hold data).
    package var name: String {
        if case .string(let name) = arguments.first { return name }
        return "?"
    }

    /// Appends the command as a RESP array of bulk strings.
    package func encode(into buffer: inout ByteBuffer) {
        buffer.writeStaticString("*")
        buffer.writeString(String(arguments.count))
        buffer.writeStaticString("\r\n")
        for argument in arguments {
            argument.encode(into: &buffer)
        }
    }
}

/// One argument of a command.
package enum RedisArgument: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case string(String)
    case bytes(ByteBuffer)

    package init(stringLiteral value: String) { self = .string(value) }
    package init(integerLiteral value: Int) { self = .string(String(value)) }

    /// An integer argument.
    package static func int(_ value: Int) -> RedisArgument { .string(String(value)) }

    func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .string(let string):
            buffer.writeStaticString("$")
            buffer.writeString(String(string.utf8.count))
            buffer.writeStaticString("\r\n")
            buffer.writeString(string)
        case .bytes(let bytes):
            buffer.writeStaticString("$")
            buffer.writeString(String(bytes.readableBytes))
            buffer.writeStaticString("\r\n")
            buffer.writeImmutableBuffer(bytes)
        }
        buffer.writeStaticString("\r\n")
    }
}
