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
            // This server offers no AUTH: credentials it cannot take are refused for good.
            var server = smtp.server
            server.username = "ada"
            server.password = "secret"
            do {
                try await SMTPClient(server: server).send(EmailMessage(from: "a@b.test", to: "c@d.test", subject: "s", body: "b"))
                Issue.record("the server took AUTH it does not offer")
            } catch let error as SMTPError {
                #expect(error.permanent, "\(error)")
                #expect(try smtp.messages().isEmpty)
            }
        }
    }
}
