import Foundation

/// Outgoing email: the SMTP server (none: email is off), the sender, and the public address links point to.
public struct MailConfiguration: Sendable {
    /// The SMTP relay; nil when email is not configured (registration then needs no activation, and password
    /// reset by email is unavailable).
    public var smtp: SMTPServer?
    /// The `From:` address.
    public var from: String
    /// Where people open ARKYRA, for links in emails (`https://arkyra.example.com`).
    public var publicURL: String

    public struct SMTPServer: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var username: String?
        public var password: String?

        public init(host: String, port: Int = 25, username: String? = nil, password: String? = nil) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
        }
    }

    public init(smtp: SMTPServer? = nil, from: String = "no-reply@arkyra.localhost", publicURL: String = "http://127.0.0.1:8080") {
        self.smtp = smtp
        self.from = from
        self.publicURL = publicURL
    }

    /// Reads `ARKYRA_SMTP_URL` (`smtp://[user:password@]host[:port]`, empty for none), `ARKYRA_MAIL_FROM` and
    /// `ARKYRA_PUBLIC_URL`.
    /// - Throws: ``ConfigurationError`` for a malformed URL or sender.
    public init(reader: EnvironmentReader) throws {
        var smtp: SMTPServer?
        let text = reader.string("ARKYRA_SMTP_URL", default: "")
        if !text.isEmpty {
            guard let url = URL(string: text), url.scheme == "smtp", let host = url.host, !host.isEmpty else {
                throw ConfigurationError(key: "ARKYRA_SMTP_URL", problem: "must look like smtp://user:password@host:port (plain SMTP to a relay)")
            }
            smtp = SMTPServer(host: host, port: url.port ?? 25, username: url.user?.removingPercentEncoding, password: url.password?.removingPercentEncoding)
        }
        let from = reader.string("ARKYRA_MAIL_FROM", default: "no-reply@arkyra.localhost")
        guard from.contains("@"), !from.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "<" || $0 == ">" }) else {
            throw ConfigurationError(key: "ARKYRA_MAIL_FROM", problem: "must be an email address")
        }
        var publicURL = reader.string("ARKYRA_PUBLIC_URL", default: "http://127.0.0.1:8080")
        while publicURL.hasSuffix("/") { publicURL.removeLast() }
        self.init(smtp: smtp, from: from, publicURL: publicURL)
    }
}
