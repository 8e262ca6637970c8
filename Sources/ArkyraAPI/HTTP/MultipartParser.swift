import Foundation
import NIOCore

/// A `multipart/form-data` body (RFC 7578) parsed as it arrives: feed it chunks, get back events. A part's
/// content is handed on as slices of the input, never gathered, so a file of any size parses in constant
/// memory. Pure: no I/O.
struct MultipartParser {
    /// What the bytes fed so far held.
    enum Event: Equatable {
        /// A part begins; its headers, names lowercased.
        case partStart(Part)
        case partData(ByteBuffer)
        case partEnd
    }

    /// A part's headers, as form fields use them.
    struct Part: Equatable {
        var name: String?
        var filename: String?
        var contentType: String?
    }

    /// Why a body is not multipart as it claims.
    enum Failure: Error, Equatable {
        case headersTooLong, malformedHeaders, endedEarly, tooManyParts
    }

    private enum State { case preamble, delimiterEnd, headers, content, done }

    private let delimiter: [UInt8]
    private var state = State.preamble
    private var buffer = ByteBuffer()
    private var parts = 0
    static let maximumHeaderBytes = 8 * 1024
    static let maximumParts = 32

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        // The first delimiter has no CRLF before it; starting the stream with one makes every delimiter alike.
        buffer.writeString("\r\n")
    }

    /// The boundary a `Content-Type` header declares, or nil when it is not multipart/form-data.
    static func boundary(contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            let value = pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2 ? String(pair[1].dropFirst().dropLast()) : pair[1]
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    /// Parses `chunk` with what was left over before it.
    mutating func feed(_ chunk: ByteBuffer) throws -> [Event] {
        var chunk = chunk
        buffer.writeBuffer(&chunk)
        var events: [Event] = []
        while true {
            switch state {
            case .preamble:
                guard let index = find(delimiter) else {
                    // Keep what could be the start of a delimiter.
                    buffer.moveReaderIndex(forwardBy: max(0, buffer.readableBytes - (delimiter.count - 1)))
                    return compacted(events)
                }
                buffer.moveReaderIndex(forwardBy: index + delimiter.count)
                state = .delimiterEnd
            case .delimiterEnd:
                guard buffer.readableBytes >= 2, let next = buffer.getBytes(at: buffer.readerIndex, length: 2) else { return compacted(events) }
                buffer.moveReaderIndex(forwardBy: 2)
                if next == Array("--".utf8) {
                    state = .done
                } else if next == Array("\r\n".utf8) {
                    parts += 1
                    if parts > Self.maximumParts { throw Failure.tooManyParts }
                    state = .headers
                } else {
                    throw Failure.malformedHeaders
                }
            case .headers:
                guard let end = find(Array("\r\n\r\n".utf8)) else {
                    if buffer.readableBytes > Self.maximumHeaderBytes { throw Failure.headersTooLong }
                    return compacted(events)
                }
                guard end <= Self.maximumHeaderBytes, let text = buffer.readString(length: end) else { throw Failure.headersTooLong }
                buffer.moveReaderIndex(forwardBy: 4)
                events.append(.partStart(try Self.part(headers: text)))
                state = .content
            case .content:
                if let index = find(delimiter) {
                    if index > 0, let data = buffer.readSlice(length: index) { events.append(.partData(data)) }
                    buffer.moveReaderIndex(forwardBy: delimiter.count)
                    events.append(.partEnd)
                    state = .delimiterEnd
                } else {
                    let safe = buffer.readableBytes - (delimiter.count - 1)
                    if safe > 0, let data = buffer.readSlice(length: safe) { events.append(.partData(data)) }
                    return compacted(events)
                }
            case .done:
                buffer.clear()
                return events
            }
        }
    }

    /// Checks that the body ended after its closing delimiter.
    func finish() throws {
        guard state == .done else { throw Failure.endedEarly }
    }

    /// `events`, after dropping the consumed bytes. The slices handed out share the buffer's storage, so the
    /// few unread bytes move to a new buffer rather than the old one being compacted (which would copy it all).
    private mutating func compacted(_ events: [Event]) -> [Event] {
        if buffer.readerIndex > 64 * 1024 {
            var fresh = ByteBuffer()
            fresh.reserveCapacity(max(buffer.readableBytes, 16 * 1024))
            fresh.writeImmutableBuffer(buffer)
            buffer = fresh
        }
        return events
    }

    /// The offset of `pattern` in the unread bytes, or nil (candidates found with memchr).
    private func find(_ pattern: [UInt8]) -> Int? {
        buffer.withUnsafeReadableBytes { bytes -> Int? in
            guard bytes.count >= pattern.count, let first = pattern.first, let base = bytes.baseAddress else { return nil }
            var index = 0
            let last = bytes.count - pattern.count
            while index <= last {
                guard let hit = memchr(base + index, Int32(first), last - index + 1) else { return nil }
                let found = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + found, pattern, pattern.count) == 0 { return found }
                index = found + 1
            }
            return nil
        }
    }

    /// The form-data facts in a part's header block.
    static func part(headers text: String) throws -> Part {
        var part = Part()
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { throw Failure.malformedHeaders }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch name {
            case "content-disposition":
                let parameters = Self.parameters(value)
                part.name = parameters["name"]
                part.filename = parameters["filename*"].flatMap(Self.extendedValue) ?? parameters["filename"]
            case "content-type":
                part.contentType = value
            default:
                continue
            }
        }
        return part
    }

    /// `form-data; name="file"; filename="a b.png"` as `[name: file, filename: a b.png]` (quoted strings unescaped).
    static func parameters(_ value: String) -> [String: String] {
        var result: [String: String] = [:]
        var characters = Substring(value)
        // Skip the disposition type.
        guard let firstSemicolon = characters.firstIndex(of: ";") else { return result }
        characters = characters[characters.index(after: firstSemicolon)...]
        while !characters.isEmpty {
            characters = characters.drop { $0 == " " || $0 == "\t" }
            guard let equals = characters.firstIndex(of: "=") else { break }
            let key = characters[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            characters = characters[characters.index(after: equals)...]
            var parsed = ""
            if characters.first == "\"" {
                characters = characters.dropFirst()
                var escaped = false
                while let character = characters.first {
                    characters = characters.dropFirst()
                    if escaped { parsed.append(character); escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { break } else { parsed.append(character) }
                }
                characters = characters.drop { $0 != ";" }
            } else {
                let end = characters.firstIndex(of: ";") ?? characters.endIndex
                parsed = characters[..<end].trimmingCharacters(in: .whitespaces)
                characters = characters[end...]
            }
            if characters.first == ";" { characters = characters.dropFirst() }
            result[key] = parsed
        }
        return result
    }

    /// An RFC 5987 value (`UTF-8''na%C3%AFve.png`) decoded.
    static func extendedValue(_ value: String) -> String? {
        let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, pieces[0].lowercased() == "utf-8" else { return nil }
        return String(pieces[2]).removingPercentEncoding
    }
}
