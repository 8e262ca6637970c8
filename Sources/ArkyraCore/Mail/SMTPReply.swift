/// A server reply: a three-digit code and its text lines. A reply may span lines: `250-first`, `250 last`.
package struct SMTPReply: Sendable, Equatable {
    package var code: Int
    package var lines: [String]

    /// 2xx and 3xx go on; 4xx are temporary (try later); 5xx are permanent.
    package var isPositive: Bool { code < 400 }
    package var isPermanentFailure: Bool { code >= 500 }

    /// Takes one complete reply off the front of `buffer` (text received so far), or nil when it is not
    /// complete yet.
    /// - Throws: ``SMTPError/malformed(_:)`` for a line that is not a reply line.
    package static func take(from buffer: inout String) throws -> SMTPReply? {
        var lines: [String] = []
        var consumed = buffer.startIndex
        while let end = buffer[consumed...].range(of: "\r\n") {
            let line = String(buffer[consumed..<end.lowerBound])
            consumed = end.upperBound
            guard line.count >= 3, let code = Int(line.prefix(3)) else { throw SMTPError.malformed(line) }
            let separator = line.dropFirst(3).first
            lines.append(String(line.dropFirst(4)))
            if separator != "-" {
                buffer.removeSubrange(buffer.startIndex..<consumed)
                return SMTPReply(code: code, lines: lines)
            }
        }
        return nil
    }
}

/// Why sending an email failed.
package enum SMTPError: Error, Equatable, CustomStringConvertible {
    /// The server answered something that is not SMTP.
    case malformed(String)
    /// The server refused a command; `permanent` for 5xx.
    case refused(command: String, reply: SMTPReply)
    /// The connection failed or closed early (a certificate that does not verify included).
    case connection(String)
    /// STARTTLS is required by the configuration and the server does not offer it.
    case tlsUnavailable
    /// Credentials are configured, the server offers no STARTTLS, and plain text was not allowed
    /// (`starttls=never`): the password is not sent.
    case credentialsInPlainText

    package var permanent: Bool {
        switch self {
        case .refused(_, let reply): reply.isPermanentFailure
        case .tlsUnavailable, .credentialsInPlainText: true
        case .malformed, .connection: false
        }
    }

    package var description: String {
        switch self {
        case .malformed(let line): "the mail server sent something that is not SMTP: \(line.prefix(200))"
        case .refused(let command, let reply): "the mail server refused \(command): \(reply.code) \(reply.lines.joined(separator: " "))"
        case .connection(let message): "cannot talk to the mail server: \(message)"
        case .tlsUnavailable: "the mail server does not offer STARTTLS, which ARKYRA_SMTP_URL requires (starttls=required)"
        case .credentialsInPlainText:
            "the mail server offers no STARTTLS, so the SMTP password would travel in plain text; use smtps://, or add starttls=never to ARKYRA_SMTP_URL for a relay on a trusted network"
        }
    }
}
