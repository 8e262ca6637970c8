@testable import ArkyraCore
import NIOCore
import Testing

@Suite("Redis command encoding")
struct RedisCommandTests {
    @Test("a command is an array of bulk strings, byte for byte")
    func exactBytes() {
        var buffer = ByteBuffer()
        RedisCommand("SET", "key", "välue", .int(10)).encode(into: &buffer)
        #expect(String(buffer: buffer) == "*4\r\n$3\r\nSET\r\n$3\r\nkey\r\n$6\r\nvälue\r\n$2\r\n10\r\n")
    }

    @Test("binary arguments keep their bytes, CRLF included")
    func binary() {
        var buffer = ByteBuffer()
        RedisCommand("SET", "k", .bytes(ByteBuffer(bytes: [0x00, 0x0D, 0x0A, 0xFF]))).encode(into: &buffer)
        #expect(Array(buffer.readableBytesView) == Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\n".utf8) + [0x00, 0x0D, 0x0A, 0xFF] + Array("\r\n".utf8))
    }

    @Test("server error prefixes are exposed for switching")
    func errorPrefix() {
        #expect(RedisError(.server, "NOSCRIPT No matching script").serverPrefix == "NOSCRIPT")
        #expect(RedisError(.timeout, "x").serverPrefix == nil)
    }
}
