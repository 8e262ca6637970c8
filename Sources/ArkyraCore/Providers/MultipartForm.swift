import Foundation
import NIOCore

/// A `multipart/form-data` body (RFC 7578) for the platforms' upload calls: text fields and files, in order.
package struct MultipartForm {
    package let boundary = "arkyra-\(UUID().uuidString)"
    private(set) var body = ByteBuffer()

    package init() {}

    package var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    package mutating func field(_ name: String, _ value: String) {
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(name))\"\r\n\r\n\(value)\r\n")
    }

    package mutating func file(_ name: String, fileName: String, contentType: String, contents: ByteBuffer) {
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(name))\"; filename=\"\(Self.quoted(fileName))\"\r\n")
        body.writeString("Content-Type: \(contentType)\r\n\r\n")
        var contents = contents
        body.writeBuffer(&contents)
        body.writeString("\r\n")
    }

    /// The whole body, closed.
    package func finished() -> ByteBuffer {
        var closed = body
        closed.writeString("--\(boundary)--\r\n")
        return closed
    }

    /// A name or file name inside quotes: quotes and line breaks cannot appear there.
    static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: "")
    }
}
