import NIOCore

/// One Redis command: its name and arguments, each sent as a bulk string.
public struct RedisCommand: Sendable {
    public var arguments: [RedisArgument]

    public init(_ name: String, _ arguments: [RedisArgument] = []) {
        self.arguments = [.string(name)] + arguments
    }

    public init(_ name: String, _ arguments: RedisArgument...) {
        self.init(name, arguments)
    }

    /// The command's name, for logs and metrics (never its arguments, which may hold data).
    public var name: String {
        if case .string(let name) = arguments.first { return name }
        return "?"
    }

    /// Appends the command as a RESP array of bulk strings.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeStaticString("*")
        buffer.writeString(String(arguments.count))
        buffer.writeStaticString("\r\n")
        for argument in arguments {
            argument.encode(into: &buffer)
        }
    }
}

/// One argument of a command.
public enum RedisArgument: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case string(String)
    case bytes(ByteBuffer)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .string(String(value)) }

    /// An integer argument.
    public static func int(_ value: Int) -> RedisArgument { .string(String(value)) }

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
