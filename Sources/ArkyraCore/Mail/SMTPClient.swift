import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Sends email to an SMTP server (RFC 5321): EHLO, STARTTLS (RFC 3207) as the server's ``MailConfiguration/SMTPServer/TLS``
/// setting says, or TLS from the start (`smtps://`), AUTH PLAIN when credentials are configured, MAIL FROM,
/// RCPT TO, DATA, QUIT, on one connection per message. Certificates are verified against the system's roots
/// and the configured CA file.
package struct SMTPClient: Sendable {
    let server: MailConfiguration.SMTPServer
    let timeout: Duration
    /// Made once: building a TLS context reads the system's certificate authorities.
    private let tls: Result<NIOSSLContext?, SMTPError>

    package init(server: MailConfiguration.SMTPServer, timeout: Duration = .seconds(30)) {
        self.server = server
        self.timeout = timeout
        self.tls = Result { try Self.tlsContext(for: server) }.mapError { $0 as? SMTPError ?? .connection("\($0)") }
    }

    /// Delivers `message` to the relay.
    /// - Throws: ``SMTPError`` (`permanent` when the server refused it for good), or ``TimeoutError``.
    package func send(_ message: EmailMessage) async throws {
        let server = server
        let tls = try self.tls.get()
        try await withTimeout(timeout) {
            let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
            do {
                channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.seconds(10))
                    .connect(host: server.host, port: server.port) { channel in
                        channel.eventLoop.makeCompletedFuture {
                            if server.tls == .implicit { try Self.addTLS(tls, for: server, to: channel) }
                            return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                        }
                    }
            } catch {
                throw SMTPError.connection("\(error)")
            }
            try await channel.executeThenClose { inbound, outbound in
                var session = Session(replies: inbound.makeAsyncIterator(), outbound: outbound)
                _ = try await session.reply(to: "the greeting", expecting: 220)
                var hello = try await session.send("EHLO arkyra", expecting: 250)
                let offersTLS = hello.lines.dropFirst().contains { $0.uppercased() == "STARTTLS" }
                switch server.tls {
                case .whenOffered where offersTLS, .required where offersTLS:
                    _ = try await session.send("STARTTLS", expecting: 220)
                    try await channel.channel.eventLoop.submit { try Self.addTLS(tls, for: server, to: channel.channel) }.get()
                    // RFC 3207: forget what was said before the handshake and greet again.
                    session.received = ""
                    hello = try await session.send("EHLO arkyra", expecting: 250)
                case .required:
                    throw SMTPError.tlsUnavailable
                case .whenOffered where server.username != nil:
                    // A password goes in clear text only where the configuration says the network is trusted.
                    throw SMTPError.credentialsInPlainText
                case .whenOffered, .never, .implicit:
                    break
                }
                if let username = server.username {
                    let credentials = Data("\u{0}\(username)\u{0}\(server.password ?? "")".utf8).base64EncodedString()
                    _ = try await session.send("AUTH PLAIN \(credentials)", expecting: 235, naming: "AUTH")
                }
                let eightBit = message.needs8Bit && hello.lines.contains { $0.uppercased().hasPrefix("8BITMIME") }
                _ = try await session.send("MAIL FROM:<\(Self.address(message.from))>\(eightBit ? " BODY=8BITMIME" : "")", expecting: 250)
                _ = try await session.send("RCPT TO:<\(Self.address(message.to))>", expecting: 250, 251)
                _ = try await session.send("DATA", expecting: 354)
                _ = try await session.send(message.data(), expecting: 250, naming: "the message")
                _ = try? await session.send("QUIT", expecting: 221)
            }
        }
    }

    /// The TLS client context for `server`: certificates verified against the system's roots plus its CA file;
    /// nil when the connection stays plain.
    static func tlsContext(for server: MailConfiguration.SMTPServer) throws -> NIOSSLContext? {
        guard server.tls != .never else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let file = server.trustedCAFile { configuration.additionalTrustRoots = [.file(file)] }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw SMTPError.connection("cannot set up TLS: \(error)")
        }
    }

    /// Puts TLS in front of everything on `channel` (on its event loop); the host name is checked against the
    /// certificate and sent as SNI unless it is an IP address.
    static func addTLS(_ context: NIOSSLContext?, for server: MailConfiguration.SMTPServer, to channel: any Channel) throws {
        guard let context else { return }
        let isAddress = (try? SocketAddress(ipAddress: server.host, port: 0)) != nil
        let handler = try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : server.host)
        try channel.pipeline.syncOperations.addHandler(handler, position: .first)
    }

    /// The address of `Name <address>`, or the text itself; line breaks and angle brackets removed.
    static func address(_ text: String) -> String {
        var address = text
        if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            address = String(text[text.index(after: open)..<close])
        }
        return address.filter { !"\r\n<> ".contains($0) }
    }

    /// One conversation: commands out, replies in.
    struct Session {
        var replies: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        var received = ""

        mutating func send(_ command: String, expecting codes: Int..., naming name: String? = nil) async throws -> SMTPReply {
            let label = name ?? String(command.prefix(while: { $0 != " " && $0 != ":" }))
            do {
                try await outbound.write(ByteBuffer(string: command.hasSuffix("\r\n") ? command : command + "\r\n"))
            } catch {
                // The connection closed under the write; why (a certificate that does not verify, say) is on the inbound side.
                var cause = "\(error)"
                do { _ = try await replies.next() } catch let inbound { cause = "\(inbound)" }
                throw SMTPError.connection("\(cause) while sending \(label)")
            }
            return try await reply(to: label, expecting: codes)
        }

        mutating func reply(to command: String, expecting codes: Int...) async throws -> SMTPReply {
            try await reply(to: command, expecting: codes)
        }

        mutating func reply(to command: String, expecting codes: [Int]) async throws -> SMTPReply {
            while true {
                if let reply = try SMTPReply.take(from: &received) {
                    guard codes.contains(reply.code) else { throw SMTPError.refused(command: command, reply: reply) }
                    return reply
                }
                let chunk: ByteBuffer?
                do {
                    chunk = try await replies.next()
                } catch {
                    throw SMTPError.connection("\(error) while waiting for the reply to \(command)")
                }
                guard let chunk else { throw SMTPError.connection("closed while waiting for the reply to \(command)") }
                received += String(buffer: chunk)
                if received.utf8.count > 64 * 1024 { throw SMTPError.malformed("a reply longer than 64 KiB") }
            }
        }
    }
}
