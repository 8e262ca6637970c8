import Foundation

/// A plain-text email, rendered as RFC 5322 text ready for SMTP's DATA (CRLF lines, dot-stuffed).
package struct EmailMessage: Sendable, Equatable {
    package var from: String
    package var to: String
    package var subject: String
    package var body: String

    package init(from: String, to: String, subject: String, body: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
    }

    /// Whether the body needs 8-bit transport (anything beyond ASCII).
    package var needs8Bit: Bool { !body.unicodeScalars.allSatisfy(\.isASCII) }

    /// The message for DATA, ending with the lone-dot line. Header values lose line breaks (no header
    /// injection); a non-ASCII subject is MIME-encoded; body lines starting with a dot get another (RFC 5321 §4.5.2).
    package func data(date: Date = Date(), messageID: String = UUID().uuidString) -> String {
        func header(_ value: String) -> String { value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ") }
        let subject = header(self.subject)
        let encodedSubject = subject.unicodeScalars.allSatisfy(\.isASCII) ? subject : "=?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?="
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        var lines = [
            "From: \(header(from))", "To: \(header(to))", "Subject: \(encodedSubject)", "Date: \(formatter.string(from: date))",
            "Message-ID: <\(messageID)@arkyra>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: \(needs8Bit ? "8bit" : "7bit")", "",
        ]
        let normalized = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        lines += normalized.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasPrefix(".") ? "." + $0 : String($0) }
        return lines.joined(separator: "\r\n") + "\r\n.\r\n"
    }
}
