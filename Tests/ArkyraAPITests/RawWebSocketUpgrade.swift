import Foundation
import NIOCore
import NIOPosix

/// A WebSocket upgrade sent over a bare TCP connection, read until the server's answer is known: the HTTP
/// status, and for a 101 the first frame when it is a close (code and reason). The WebSocket client library
/// can miss a close frame that arrives in the same packet as the 101, so refusals are checked with this.
struct RawWebSocketUpgrade {
    struct Answer: Equatable {
        var status: String
        var closeCode: UInt16?
        var reason: String?
    }

    /// Upgrades `path` on 127.0.0.1:`port`; nil when no answer was complete within `timeout` (an upgraded
    /// socket the server keeps open).
    static func send(port: Int, path: String, timeout: Duration = .seconds(10)) async throws -> Answer? {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        return try await withThrowingTaskGroup(of: Answer?.self) { group in
            group.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(ByteBuffer(string: """
                        GET \(path) HTTP/1.1\r
                        Host: 127.0.0.1\r
                        Upgrade: websocket\r
                        Connection: Upgrade\r
                        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
                        Sec-WebSocket-Version: 13\r
                        \r

                        """))
                    var bytes: [UInt8] = []
                    for try await var chunk in inbound {
                        bytes += chunk.readBytes(length: chunk.readableBytes) ?? []
                        if let answer = parse(bytes) { return answer }
                    }
                    return parse(bytes)
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                channel.channel.close(promise: nil)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// The answer in `bytes`, once it is complete.
    static func parse(_ bytes: [UInt8]) -> Answer? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = (0...max(0, bytes.count - separator.count)).first(where: { bytes.count >= separator.count && Array(bytes[$0..<$0 + separator.count]) == separator })
        else { return nil }
        let head = String(decoding: bytes[..<end], as: UTF8.self)
        let status = head.split(separator: " ").dropFirst().first.map(String.init) ?? ""
        guard status == "101" else { return Answer(status: status) }
        let frame = Array(bytes[(end + separator.count)...])
        guard frame.count >= 2 else { return nil }
        let length = Int(frame[1] & 0x7F)
        guard frame[0] & 0x0F == 0x8, length < 126 else { return Answer(status: status) }
        guard frame.count >= 2 + length else { return nil }
        let payload = frame[2..<(2 + length)]
        guard payload.count >= 2 else { return Answer(status: status, closeCode: nil, reason: nil) }
        let code = UInt16(payload[payload.startIndex]) << 8 | UInt16(payload[payload.startIndex + 1])
        return Answer(status: status, closeCode: code, reason: String(decoding: payload.dropFirst(2), as: UTF8.self))
    }
}
