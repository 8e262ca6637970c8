import Foundation
import NIOCore

/// The parts of a `multipart/form-data` body the sandbox received whole (platform uploads are small here).
enum SandboxMultipart {
    struct Part {
        var name: String
        var filename: String?
        var contentType: String?
        var data: Data
    }

    /// The parts, or nil when the body is not multipart/form-data with a boundary.
    static func parts(_ body: ByteBuffer, contentType: String?) -> [Part]? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data"),
              let range = contentType.range(of: "boundary=") else { return nil }
        var boundary = String(contentType[range.upperBound...]).split(separator: ";").first.map(String.init) ?? ""
        boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        let data = Data(buffer: body)
        let delimiter = Data("--\(boundary)".utf8)
        var parts: [Part] = []
        var searchStart = data.startIndex
        guard var current = data.range(of: delimiter, in: searchStart..<data.endIndex) else { return nil }
        while true {
            searchStart = current.upperBound
            guard let next = data.range(of: Data("\r\n".utf8) + delimiter, in: searchStart..<data.endIndex) else { break }
            let chunk = data[searchStart..<next.lowerBound]
            if let split = chunk.range(of: Data("\r\n\r\n".utf8)) {
                let headers = String(decoding: chunk[chunk.startIndex..<split.lowerBound], as: UTF8.self)
                var part = Part(name: "", filename: nil, contentType: nil, data: Data(chunk[split.upperBound...]))
                for line in headers.split(separator: "\r\n") {
                    let lower = line.lowercased()
                    if lower.hasPrefix("content-disposition:") {
                        part.name = value(of: "name", in: String(line)) ?? ""
                        part.filename = value(of: "filename", in: String(line))
                    } else if lower.hasPrefix("content-type:") {
                        part.contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                    }
                }
                parts.append(part)
            }
            current = (next.lowerBound + 2)..<next.upperBound
            if data[current.upperBound...].starts(with: Data("--".utf8)) { break }
        }
        return parts
    }

    /// `name="value"` in a header line.
    private static func value(of name: String, in line: String) -> String? {
        guard let range = line.range(of: "; \(name)=\"") ?? line.range(of: ";\(name)=\"") else { return nil }
        let rest = line[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
