import NIOCore

/// One RESP3 value as Redis sends it.
package enum RESPValue: Sendable, Equatable {
    case simpleString(String)
    /// A simple (`-`) or blob (`!`) error.
    case error(String)
    case integer(Int64)
    /// Bulk string (`$`); `nil` is RESP2's null bulk string.
    case bulkString(ByteBuffer?)
    /// Array (`*`); `nil` is RESP2's null array.
    case array([RESPValue]?)
    case null
    case boolean(Bool)
    case double(Double)
    case bigNumber(String)
    case verbatimString(String)
    case map([RESPMapEntry])
    case set([RESPValue])
    /// Out-of-band data (`>`): pub/sub messages and client-side caching invalidations.
    case push([RESPValue])

    /// Whether the value is any of RESP's nulls.
    package var isNull: Bool {
        switch self {
        case .null, .bulkString(nil), .array(nil): return true
        default: return false
        }
    }

    /// The value as text, for simple, bulk and verbatim strings.
    package var string: String? {
        switch self {
        case .simpleString(let string), .verbatimString(let string), .bigNumber(let string): return string
        case .bulkString(.some(let buffer)): return String(buffer: buffer)
        case .integer(let value): return String(value)
        default: return nil
        }
    }

    /// The value as an integer, for integers and numeric strings.
    package var int: Int? {
        switch self {
        case .integer(let value): return Int(value)
        default: return string.flatMap { Int($0) }
        }
    }

    /// The elements of an array, set or push; nil for anything else.
    package var elements: [RESPValue]? {
        switch self {
        case .array(.some(let values)), .set(let values), .push(let values): return values
        default: return nil
        }
    }
}

/// One key/value pair of a RESP3 map (kept in order, keys may be any value).
package struct RESPMapEntry: Sendable, Equatable {
    package var key: RESPValue
    package var value: RESPValue

    package init(key: RESPValue, value: RESPValue) {
        self.key = key
        self.value = value
    }
}
