@testable import ArkyraCore
import ArkyraTestSupport
import Foundation
import Testing

@Suite("Email over SMTP")
struct SMTPTests {
    @Test("replies are read whole, across lines and split reads")
    func replies() throws {
        var buffer = "250-arkyra.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n220 next"
        let reply = try #require(try SMTPReply.take(from: &buffer))
        #expect(reply == SMTPReply(code: 250, lines: ["arkyra.test", "8BITMIME", "SMTPUTF8"]))
        #expect(buffer == "220 next")
        #expect(try SMTPReply.take(from: &buffer) == nil)
        buffer += "\r\n"
        #expect(try SMTPReply.take(from: &buffer)?.code == 220)
        var junk = "HTTP/1.1 400 Bad Request\r\n"
        #expect(throws: SMTPError.self) { try SMTPReply.take(from: &junk) }
    }

    @Test("messages are dot-stuffed, end with the lone dot, and headers cannot be injected")
    func messageText() {
        let message = EmailMessage(from: "ARKYRA <no-reply@arkyra.test>", to: "ada@example.com\r\nBcc: eve@example.com",
                                   subject: "Réinitialiser", body: "Hello\n.hidden line\nbye")
        let data = message.data(date: Date(timeIntervalSince1970: 0), messageID: "m1")
        #expect(data.hasSuffix("\r\nbye\r\n.\r\n"))
        #expect(data.contains("\r\n..hidden line\r\n"))
        #expect(data.contains("To: ada@example.com  Bcc: eve@example.com\r\n"))
        #expect(data.contains("Subject: =?UTF-8?B?\(Data("Réinitialiser".utf8).base64EncodedString())?=\r\n"))
        #expect(data.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"))
        #expect(SMTPClient.address("ARKYRA <no-reply@arkyra.test>") == "no-reply@arkyra.test")
    }

    @Test("a message reaches a real SMTP server whole, 8-bit text included")
    func delivers() async throws {
        try await TestSMTPServer.with { smtp in
            let client = SMTPClient(server: smtp.server, timeout: .seconds(10))
            try await client.send(EmailMessage(from: "ARKYRA <no-reply@arkyra.test>", to: "ada@example.com", subject: "Hello",
                                               body: "Grüße aus ARKYRA\n.starts with a dot"))
            let messages = try smtp.messages()
            #expect(messages.count == 1)
            let message = try #require(messages.first)
            #expect(message.contains("To: ada@example.com"))
            #expect(message.contains("Grüße aus ARKYRA"))
            #expect(message.contains("\n.starts with a dot"))
            #expect(!message.contains("..starts"))
        }
    }

    @Test("a server that is not there is a connection error; a refused command is permanent")
    func failures() async throws {
        let nobody = SMTPClient(server: .init(host: "127.0.0.1", port: try freeTCPPort()), timeout: .seconds(5))
        await #expect(throws: SMTPError.self) {
            try await nobody.send(EmailMessage(from: "a@b.test", to: "c@d.test", subject: "s", body: "b"))
        }
        try await TestSMTPServer.with { smtp in
            // This server offers no STARTTLS: the password is not sent in plain text unless that is allowed.
            var server = smtp.server
            server.username = "ada"
            server.password = "secret"
            await #expect(throws: SMTPError.credentialsInPlainText) {
                try await SMTPClient(server: server).send(EmailMessage(from: "a@b.test", to: "c@d.test", subject: "s", body: "b"))
            }
            #expect(SMTPError.credentialsInPlainText.permanent)
            // Allowed (starttls=never), it offers no AUTH: credentials it cannot take are refused for good.
            server.tls = .never
            do {
                try await SMTPClient(server: server).send(EmailMessage(from: "a@b.test", to: "c@d.test", subject: "s", body: "b"))
                Issue.record("the server took AUTH it does not offer")
            } catch let error as SMTPError {
                #expect(error.permanent, "\(error)")
                #expect(try smtp.messages().isEmpty)
            }
        }
    }

    private func hello(_ server: MailConfiguration.SMTPServer) async throws {
        try await SMTPClient(server: server, timeout: .seconds(10))
            .send(EmailMessage(from: "no-reply@arkyra.test", to: "ada@example.com", subject: "Over TLS", body: "secret link"))
    }

    /// How sending to `server` fails (the test fails if it does not).
    private func refusal(_ server: MailConfiguration.SMTPServer) async -> String {
        do {
            try await hello(server)
            Issue.record("delivered to \(server.host):\(server.port)")
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test("STARTTLS when the server offers it, its certificate verified; a server that insists on it gets nothing in plain text")
    func startTLS() async throws {
        try await TestSMTPServer.with(security: .startTLS) { smtp in
            var server = MailConfiguration.SMTPServer(host: "localhost", port: smtp.port, trustedCAFile: smtp.certificateFile)
            try await hello(server)
            // aiosmtpd refuses MAIL before STARTTLS: the delivery went over TLS.
            #expect(try smtp.messages().count == 1)
            server.tls = .required
            try await hello(server)
            #expect(try smtp.messages().count == 2)

            // Without the CA the certificate does not verify: no fallback to plain text, nothing delivered.
            server.trustedCAFile = nil
            let untrusted = await refusal(server)
            #expect(untrusted.contains("CERTIFICATE_VERIFY_FAILED"), "\(untrusted)")
            // Plain text on purpose: this server says 530 (must issue STARTTLS first), a permanent refusal.
            server.tls = .never
            do {
                try await hello(server)
                Issue.record("the server took a message without STARTTLS")
            } catch let error as SMTPError {
                #expect(error.permanent, "\(error)")
            }
            #expect(try smtp.messages().count == 2)
        }
    }

    @Test("starttls=required refuses a server without STARTTLS for good; without it, plain SMTP is used")
    func requiredTLS() async throws {
        try await TestSMTPServer.with { smtp in
            var server = smtp.server
            server.tls = .required
            await #expect(throws: SMTPError.tlsUnavailable) { try await hello(server) }
            #expect(SMTPError.tlsUnavailable.permanent)
            #expect(try smtp.messages().isEmpty)
            server.tls = .whenOffered
            try await hello(server)
            #expect(try smtp.messages().count == 1)
        }
    }

    @Test("smtps: TLS from the first byte, the certificate checked against the host name")
    func implicitTLS() async throws {
        try await TestSMTPServer.with(security: .implicitTLS) { smtp in
            var server = MailConfiguration.SMTPServer(host: "localhost", port: smtp.port, tls: .implicit, trustedCAFile: smtp.certificateFile)
            try await hello(server)
            #expect(try smtp.messages().count == 1)
            #expect(try smtp.messages().first?.contains("secret link") == true)
            // The same server reached by its address: the certificate names only localhost.
            server.host = "127.0.0.1"
            let mismatch = await refusal(server)
            #expect(mismatch.contains("failedToValidateHostname"), "\(mismatch)")
            #expect(try smtp.messages().count == 1)
        }
    }

    @Test("ARKYRA_SMTP_URL: smtp:// with STARTTLS when offered, required or never; smtps:// on 465; anything else is refused")
    func configuration() throws {
        func read(_ url: String, ca: String = "") throws -> MailConfiguration.SMTPServer? {
            try MailConfiguration(reader: EnvironmentReader(values: ["ARKYRA_SMTP_URL": url, "ARKYRA_SMTP_CA_FILE": ca])).smtp
        }
        #expect(try read("smtp://relay.internal") == .init(host: "relay.internal", port: 25, tls: .whenOffered))
        #expect(try read("smtp://ada%40example.com:p%2Fss@mail.example.com:587?starttls=required")
                == .init(host: "mail.example.com", port: 587, username: "ada@example.com", password: "p/ss", tls: .required))
        #expect(try read("smtp://relay:2525?starttls=never")?.tls == .never)
        #expect(try read("smtps://mail.example.com") == .init(host: "mail.example.com", port: 465, tls: .implicit))
        #expect(try read("") == nil)
        for bad in ["http://mail.example.com", "smtp://", "smtps://mail.example.com?starttls=never", "smtp://m?starttls=sometimes",
                    "smtp://m?tls=on", "smtp://m/path"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try read(bad) }
        }
        #expect(throws: ConfigurationError.self) { try read("smtp://m", ca: "/nonexistent/ca.pem") }
    }
}
