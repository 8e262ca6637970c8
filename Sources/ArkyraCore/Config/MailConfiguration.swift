import Foundation

/// Outgoing email: the SMTP server (none: email is off), the sender, and the public address links point to.
package struct MailConfiguration: Sendable {
    /// The SMTP relay; nil when email is not configured (registration then needs no activation, and password
    /// reset by email is unavailable).
    package var smtp: SMTPServer?
    /// The `From:` address.
    package var from: String
    /// Where people open ARKYRA, for links in emails (`https://arkyra.example.com`).
    package var publicURL: String

    package struct SMTPServer: Sendable, Equatable {
        package var host: String
        package var port: Int
        package var username: String?
        package var password: String?
        package var tls: TLS
        /// A PEM file of certificate authorities trusted besides the system's (a private CA).
        package var trustedCAFile: String?

        /// How the connection is encrypted; certificates are always verified (system roots plus
        /// ``trustedCAFile``), and a failed verification fails the delivery rather than falling back.
        package enum TLS: String, Sendable, Equatable {
            /// STARTTLS when the server offers it, plain SMTP when it does not (`smtp://`).
            case whenOffered = "auto"
            /// STARTTLS or nothing: a server that does not offer it gets no message (`smtp://…?starttls=required`).
            case required
            /// Plain SMTP throughout, for a relay on a trusted network (`smtp://…?starttls=never`).
            case never
            /// TLS from the first byte (`smtps://`, port 465 by default).
            case implicit
        }

        package init(host: String, port: Int = 25, username: String? = nil, password: String? = nil, tls: TLS = .whenOffered,
                     trustedCAFile: String? = nil) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.tls = tls
            self.trustedCAFile = trustedCAFile
        }
    }

    package init(smtp: SMTPServer? = nil, from: String = "no-reply@arkyra.localhost", publicURL: String = "http://127.0.0.1:8080") {
        self.smtp = smtp
        self.from = from
        self.publicURL = publicURL
    }

    /// Reads `ARKYRA_SMTP_URL` (`smtp://[user:password@]host[:port][?starttls=auto|required|never]` or
    /// `smtps://…`, empty for none), `ARKYRA_SMTP_CA_FILE`, `ARKYRA_MAIL_FROM` and `ARKYRA_PUBLIC_URL`.
    /// - Throws: ``ConfigurationError`` for a malformed URL, sender or CA file.
    package init(reader: EnvironmentReader) throws {
        var smtp: SMTPServer?
        let text = reader.string("ARKYRA_SMTP_URL", default: "")
        if !text.isEmpty {
            smtp = try Self.server(from: text)
            let caFile = reader.string("ARKYRA_SMTP_CA_FILE", default: "")
            if !caFile.isEmpty {
                guard FileManager.default.isReadableFile(atPath: caFile) else {
                    throw ConfigurationError(key: "ARKYRA_SMTP_CA_FILE", problem: "must be a readable PEM file of certificate authorities")
                }
                smtp?.trustedCAFile = caFile
            }
        }
        let from = reader.string("ARKYRA_MAIL_FROM", default: "no-reply@arkyra.localhost")
        guard from.contains("@"), !from.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "<" || $0 == ">" }) else {
            throw ConfigurationError(key: "ARKYRA_MAIL_FROM", problem: "must be an email address")
        }
        var publicURL = reader.string("ARKYRA_PUBLIC_URL", default: "http://127.0.0.1:8080")
        while publicURL.hasSuffix("/") { publicURL.removeLast() }
        self.init(smtp: smtp, from: from, publicURL: publicURL)
    }

    static func server(from text: String) throws -> SMTPServer {
        let problem = "must look like smtp://user:password@host:port (STARTTLS when offered; ?starttls=required or ?starttls=never) or smtps://user:password@host:port (TLS from the start)"
        guard let components = URLComponents(string: text), let scheme = components.scheme, ["smtp", "smtps"].contains(scheme),
              let host = components.host, !host.isEmpty, components.path.isEmpty || components.path == "/"
        else { throw ConfigurationError(key: "ARKYRA_SMTP_URL", problem: problem) }
        var tls: SMTPServer.TLS = scheme == "smtps" ? .implicit : .whenOffered
        for item in components.queryItems ?? [] {
            guard item.name == "starttls", scheme == "smtp", let value = item.value.flatMap(SMTPServer.TLS.init(rawValue:)), value != .implicit else {
                throw ConfigurationError(key: "ARKYRA_SMTP_URL", problem: problem)
            }
            tls = value
        }
        return SMTPServer(host: host, port: components.port ?? (scheme == "smtps" ? 465 : 25),
                          username: components.percentEncodedUser?.removingPercentEncoding,
                          password: components.percentEncodedPassword?.removingPercentEncoding, tls: tls)
    }
}
