import Foundation
import NIOCore
import NIOPosix

/// Sends email to an SMTP relay (RFC 5321): EHLO, AUTH PLAIN when credentials are configured, MAIL FROM,
/// RCPT TO, DATA, QUIT, on one connection per message. Plain SMTP only: point it at a relay on a trusted
/// network (a local Postfix, a sidecar); STARTTLS is not implemented yet.
public struct SMTPClient: Sendable {
    let server: MailConfiguration.SMTPServer
    let timeout: Duration

    public init(server: MailConfiguration.SMTPServer, timeout: Duration = .seconds(30)) {
        self.server = server
        self.timeout = timeout
    }

    /// Delivers `message` to the relay.
    /// - Throws: ``SMTPError`` (`permanent` when the server refused it for good), or ``TimeoutError``.
    public func send(_ message: EmailMessage) async throws {
        let server = server
        try await withTimeout(timeout) {
            let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
            do {
                channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.seconds(10))
                    .connect(host: server.host, port: server.port) { channel in
                        channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                    }
            } catch {
                throw SMTPError.connection("\(error)")
            }
            try await channel.executeThenClose { inbound, outbound in
                var session = Session(replies: inbound.makeAsyncIterator(), outbound: outbound)
                _ = try await session.reply(to: "the greeting", expecting: 220)
                let hello = try await session.send("EHLO arkyra", expecting: 250)
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
            try await outbound.write(ByteBuffer(string: command.hasSuffix("\r\n") ? command : command + "\r\n"))
            let label = name ?? String(command.prefix(while: { $0 != " " && $0 != ":" }))
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
                guard let chunk = try await replies.next() else { throw SMTPError.connection("closed while waiting for the reply to \(command)") }
                received += String(buffer: chunk)
                if received.utf8.count > 64 * 1024 { throw SMTPError.malformed("a reply longer than 64 KiB") }
            }
        }
    }
}
