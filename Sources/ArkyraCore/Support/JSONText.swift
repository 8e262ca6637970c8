import Foundation

/// Writing JSON by hand where it is on a hot path (job payloads, log lines, calendar pages): Foundation's
/// serializers cost far more per call, and sorting keys through them compares strings with locale rules.
package enum JSONText {
    /// Appends `text` as a JSON string literal, escaping quotes, backslashes and control characters.
    package static func appendQuoted(_ text: String, to json: inout String) {
        json += "\""
        // Most text needs no escaping: append it whole (a copy of its bytes) rather than scalar by scalar.
        let needsEscaping: @Sendable (UInt8) -> Bool = { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        if text.utf8.withContiguousStorageIfAvailable({ $0.contains(where: needsEscaping) }) ?? text.utf8.contains(where: needsEscaping) {
            appendEscaped(text, to: &json)
        } else {
            json += text
        }
        json += "\""
    }

    /// Appends `uuid` as a JSON string, upper-case as Foundation's `uuidString` writes it (which formats
    /// through `snprintf`, too slow for pages of posts).
    package static func appendQuoted(_ uuid: UUID, to json: inout String) {
        var text = [UInt8](repeating: UInt8(ascii: "-"), count: 38)
        text[0] = UInt8(ascii: "\"")
        text[37] = UInt8(ascii: "\"")
        withUnsafeBytes(of: uuid.uuid) { bytes in
            var position = 1
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { position += 1 }
                text[position] = hexDigits[Int(byte >> 4)]
                text[position + 1] = hexDigits[Int(byte & 0x0F)]
                position += 2
            }
        }
        json += String(decoding: text, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func appendEscaped(_ text: String, to json: inout String) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": json += "\\\""
            case "\\": json += "\\\\"
            case "\n": json += "\\n"
            case "\r": json += "\\r"
            case "\t": json += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                json += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: json.unicodeScalars.append(scalar)
            }
        }
    }
}
