@testable import ArkyraAPI
import Foundation
import NIOCore
import Testing

@Suite("Multipart parser (pure)")
struct MultipartParserTests {
    static let boundary = "----arkyra7MA4YWxk"
    /// A form with a text field and a file whose content contains lines that look like the boundary.
    static let file = Data("line one\r\n------arkyra7MA4YWx is not it\r\n--".utf8) + Data((0..<300).map { UInt8($0 % 256) })
    static var body: Data {
        var text = Data("preamble to ignore\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\nA \"quoted\" alt\r\n".utf8)
        text += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\\\"b.png\"; filename*=UTF-8''na%C3%AFve.png\r\nContent-Type: image/png\r\n\r\n".utf8)
        text += file
        text += Data("\r\n--\(boundary)--\r\nepilogue".utf8)
        return text
    }

    /// Parses `body` fed in chunks of `size`, gathering each part's content.
    static func parse(_ body: Data, chunk size: Int) throws -> [(part: MultipartParser.Part, content: Data)] {
        var parser = MultipartParser(boundary: boundary)
        var parts: [(MultipartParser.Part, Data)] = []
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + size)
            for event in try parser.feed(ByteBuffer(data: body[offset..<end])) {
                switch event {
                case .partStart(let part): parts.append((part, Data()))
                case .partData(let data): parts[parts.count - 1].1 += Data(buffer: data)
                case .partEnd: break
                }
            }
            offset = end
        }
        try parser.finish()
        return parts
    }

    @Test("the same parts come out however the body is split, a boundary look-alike inside a file included")
    func everySplit() throws {
        for size in [1, 2, 3, 7, 19, 64, 1000, 100_000] {
            let parts = try Self.parse(Self.body, chunk: size)
            #expect(parts.count == 2, "chunks of \(size)")
            #expect(parts.first?.part.name == "alt")
            #expect(parts.first.map { String(decoding: $0.content, as: UTF8.self) } == "A \"quoted\" alt")
            #expect(parts.last?.part.name == "file")
            #expect(parts.last?.part.filename == "naïve.png")
            #expect(parts.last?.part.contentType == "image/png")
            #expect(parts.last?.content == Self.file, "chunks of \(size)")
        }
    }

    @Test("a body cut short, headers without a colon, and endless headers are refused")
    func malformed() throws {
        #expect(throws: MultipartParser.Failure.endedEarly) { try Self.parse(Self.body.prefix(Self.body.count - 20), chunk: 50) }
        #expect(throws: MultipartParser.Failure.malformedHeaders) {
            try Self.parse(Data("--\(Self.boundary)\r\nno colon here\r\n\r\nx\r\n--\(Self.boundary)--".utf8), chunk: 10)
        }
        #expect(throws: MultipartParser.Failure.headersTooLong) {
            try Self.parse(Data("--\(Self.boundary)\r\nX: \(String(repeating: "a", count: 9000))".utf8), chunk: 1000)
        }
        let many = (0...MultipartParser.maximumParts).map { "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"f\($0)\"\r\n\r\nx\r\n" }.joined()
        #expect(throws: MultipartParser.Failure.tooManyParts) { try Self.parse(Data((many + "--\(Self.boundary)--").utf8), chunk: 100) }
    }

    @Test("the boundary comes from the Content-Type, quoted or not; other types have none")
    func boundary() {
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(MultipartParser.boundary(contentType: "Multipart/Form-Data; charset=utf-8; boundary=\"a b\"") == "a b")
        #expect(MultipartParser.boundary(contentType: "application/json") == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data") == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=\(String(repeating: "x", count: 71))") == nil)
    }
}
