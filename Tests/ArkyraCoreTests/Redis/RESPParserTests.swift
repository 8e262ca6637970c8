@testable import ArkyraCore
import NIOCore
import Testing

@Suite("RESP3 parser")
struct RESPParserTests {
    private func parse(_ text: String) throws -> RESPValue? {
        var buffer = ByteBuffer(string: text)
        return try RESPParser.parse(&buffer)
    }

    @Test("parses every RESP3 scalar type")
    func scalars() throws {
        #expect(try parse("+OK\r\n") == .simpleString("OK"))
        #expect(try parse("-ERR unknown command\r\n") == .error("ERR unknown command"))
        #expect(try parse(":-42\r\n") == .integer(-42))
        #expect(try parse("$5\r\nhello\r\n") == .bulkString(ByteBuffer(string: "hello")))
        #expect(try parse("$0\r\n\r\n") == .bulkString(ByteBuffer()))
        #expect(try parse("$-1\r\n") == .bulkString(nil))
        #expect(try parse("_\r\n") == .null)
        #expect(try parse("#t\r\n") == .boolean(true))
        #expect(try parse("#f\r\n") == .boolean(false))
        #expect(try parse(",3.25\r\n") == .double(3.25))
        #expect(try parse(",-inf\r\n") == .double(-.infinity))
        #expect(try parse("(3492890328409238509324850943850943825024385\r\n") == .bigNumber("3492890328409238509324850943850943825024385"))
        #expect(try parse("!21\r\nSYNTAX invalid syntax\r\n") == .error("SYNTAX invalid syntax"))
        #expect(try parse("=15\r\ntxt:Some string\r\n") == .verbatimString("Some string"))
    }

    @Test("parses aggregates: array, map, set, push, and skips attributes")
    func aggregates() throws {
        #expect(try parse("*2\r\n:1\r\n$1\r\na\r\n") == .array([.integer(1), .bulkString(ByteBuffer(string: "a"))]))
        #expect(try parse("*-1\r\n") == .array(nil))
        #expect(try parse("%1\r\n+key\r\n:7\r\n") == .map([RESPMapEntry(key: .simpleString("key"), value: .integer(7))]))
        #expect(try parse("~2\r\n+a\r\n+b\r\n") == .set([.simpleString("a"), .simpleString("b")]))
        #expect(try parse(">3\r\n+message\r\n+chan\r\n+hi\r\n") == .push([.simpleString("message"), .simpleString("chan"), .simpleString("hi")]))
        #expect(try parse("|1\r\n+ttl\r\n:3600\r\n:5\r\n") == .integer(5))
        #expect(try parse("*1\r\n*1\r\n:1\r\n") == .array([.array([.integer(1)])]))
    }

    @Test("an incomplete value returns nil and consumes nothing, at every split point")
    func incomplete() throws {
        let full = "*3\r\n$3\r\nSET\r\n%1\r\n+k\r\n:1\r\n,1.5\r\n"
        for cut in 0..<full.utf8.count {
            var buffer = ByteBuffer(string: String(full.utf8.prefix(cut))!)
            let before = buffer.readerIndex
            #expect(try RESPParser.parse(&buffer) == nil, "cut at \(cut)")
            #expect(buffer.readerIndex == before)
        }
        var buffer = ByteBuffer(string: full + "+NEXT\r\n")
        #expect(try RESPParser.parse(&buffer) != nil)
        #expect(try RESPParser.parse(&buffer) == .simpleString("NEXT"))
        #expect(buffer.readableBytes == 0)
    }

    @Test("malformed input is a protocol violation")
    func malformed() {
        for text in ["?what\r\n", ":12x\r\n", "#x\r\n", "$3\r\nabcXY", "+OK\rX", "$-5\r\n"] {
            #expect(throws: RedisError.self, "\(text)") { try parse(text) }
        }
    }

    @Test("nesting deeper than the limit is refused")
    func depthLimit() {
        let deep = String(repeating: "*1\r\n", count: 200) + ":1\r\n"
        #expect(throws: RedisError.self) { try parse(deep) }
    }
}
