import NIOCore

/// Parses RESP2 and RESP3 values from a byte buffer. Pure: no I/O, so it is tested on bytes alone.
package enum RESPParser {
    /// Nesting deeper than this is refused, so a hostile or corrupt stream cannot exhaust the stack.
    static let maximumDepth = 64

    /// Reads one complete value from `buffer`, or returns nil (consuming nothing) when more bytes are needed.
    /// - Throws: ``RedisError`` with code `.protocolViolation` on malformed input.
    package static func parse(_ buffer: inout ByteBuffer) throws -> RESPValue? {
        var copy = buffer
        guard let value = try parseValue(&copy, depth: 0) else { return nil }
        buffer = copy
        return value
    }

    private static func parseValue(_ buffer: inout ByteBuffer, depth: Int) throws -> RESPValue? {
        guard depth < maximumDepth else { throw RedisError(.protocolViolation, "nesting deeper than \(maximumDepth)") }
        guard let marker = buffer.readInteger(as: UInt8.self) else { return nil }
        switch marker {
        case UInt8(ascii: "+"):
            return try readLine(&buffer).map { .simpleString($0) }
        case UInt8(ascii: "-"):
            return try readLine(&buffer).map { .error($0) }
        case UInt8(ascii: ":"):
            guard let line = try readLine(&buffer) else { return nil }
            return .integer(try integer(line))
        case UInt8(ascii: "$"):
            guard let length = try readLength(&buffer) else { return nil }
            if length < 0 { return .bulkString(nil) }
            return try readBlob(&buffer, length: length).map { .bulkString($0) }
        case UInt8(ascii: "!"):
            guard let length = try readLength(&buffer) else { return nil }
            return try readBlob(&buffer, length: max(length, 0)).map { .error(String(buffer: $0)) }
        case UInt8(ascii: "="):
            guard let length = try readLength(&buffer) else { return nil }
            guard let blob = try readBlob(&buffer, length: max(length, 0)) else { return nil }
            // The first four bytes name the format ("txt:" or "mkd:").
            let text = String(buffer: blob)
            return .verbatimString(text.count >= 4 ? String(text.dropFirst(4)) : text)
        case UInt8(ascii: "*"):
            guard let count = try readLength(&buffer) else { return nil }
            if count < 0 { return .array(nil) }
            return try readValues(&buffer, count: count, depth: depth).map { .array($0) }
        case UInt8(ascii: "~"):
            guard let count = try readLength(&buffer) else { return nil }
            return try readValues(&buffer, count: max(count, 0), depth: depth).map { .set($0) }
        case UInt8(ascii: ">"):
            guard let count = try readLength(&buffer) else { return nil }
            return try readValues(&buffer, count: max(count, 0), depth: depth).map { .push($0) }
        case UInt8(ascii: "%"):
            guard let count = try readLength(&buffer) else { return nil }
            guard let flat = try readValues(&buffer, count: max(count, 0) * 2, depth: depth) else { return nil }
            return .map(stride(from: 0, to: flat.count, by: 2).map { RESPMapEntry(key: flat[$0], value: flat[$0 + 1]) })
        case UInt8(ascii: "|"):
            // Attributes describe the value that follows; ARKYRA does not use them, so they are skipped.
            guard let count = try readLength(&buffer) else { return nil }
            guard try readValues(&buffer, count: max(count, 0) * 2, depth: depth) != nil else { return nil }
            return try parseValue(&buffer, depth: depth + 1)
        case UInt8(ascii: "_"):
            guard try readLine(&buffer) != nil else { return nil }
            return .null
        case UInt8(ascii: "#"):
            guard let line = try readLine(&buffer) else { return nil }
            switch line {
            case "t": return .boolean(true)
            case "f": return .boolean(false)
            default: throw RedisError(.protocolViolation, "boolean '\(line)'")
            }
        case UInt8(ascii: ","):
            guard let line = try readLine(&buffer) else { return nil }
            switch line.lowercased() {
            case "inf": return .double(.infinity)
            case "-inf": return .double(-.infinity)
            case "nan": return .double(.nan)
            default:
                guard let value = Double(line) else { throw RedisError(.protocolViolation, "double '\(line)'") }
                return .double(value)
            }
        case UInt8(ascii: "("):
            return try readLine(&buffer).map { .bigNumber($0) }
        default:
            throw RedisError(.protocolViolation, "unknown type marker \(marker)")
        }
    }

    private static func readValues(_ buffer: inout ByteBuffer, count: Int, depth: Int) throws -> [RESPValue]? {
        var values: [RESPValue] = []
        values.reserveCapacity(min(count, 1024))
        for _ in 0..<count {
            guard let value = try parseValue(&buffer, depth: depth + 1) else { return nil }
            values.append(value)
        }
        return values
    }

    /// Reads up to CRLF; nil when the line is not complete yet.
    private static func readLine(_ buffer: inout ByteBuffer) throws -> String? {
        guard let crIndex = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\r")) else { return nil }
        let length = crIndex - buffer.readerIndex
        guard buffer.readableBytes >= length + 2 else { return nil }
        guard buffer.getInteger(at: crIndex + 1, as: UInt8.self) == UInt8(ascii: "\n") else {
            throw RedisError(.protocolViolation, "CR not followed by LF")
        }
        let line = buffer.readString(length: length)
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }

    private static func readLength(_ buffer: inout ByteBuffer) throws -> Int? {
        guard let line = try readLine(&buffer) else { return nil }
        let value = try integer(line)
        guard value >= -1, value <= 512 * 1024 * 1024 else { throw RedisError(.protocolViolation, "length \(value)") }
        return Int(value)
    }

    private static func readBlob(_ buffer: inout ByteBuffer, length: Int) throws -> ByteBuffer? {
        guard buffer.readableBytes >= length + 2 else { return nil }
        let blob = buffer.readSlice(length: length)
        guard buffer.readInteger(as: UInt8.self) == UInt8(ascii: "\r"), buffer.readInteger(as: UInt8.self) == UInt8(ascii: "\n") else {
            throw RedisError(.protocolViolation, "blob not terminated by CRLF")
        }
        return blob
    }

    private static func integer(_ line: String) throws -> Int64 {
        guard let value = Int64(line) else { throw RedisError(.protocolViolation, "integer '\(line)'") }
        return value
    }
}
