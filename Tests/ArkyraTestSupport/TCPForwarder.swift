import NIOCore
import NIOPosix

/// Forwards every connection made to a loopback port to `target`: a dependency that appears on a port only
/// once the test starts the forwarder (a database that was not ready yet).
package final class TCPForwarder: StoppableTestServer {
    private let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Listens on `port` and forwards to `targetPort`, both on 127.0.0.1, for the time of `body`.
    package static func with<Result>(port: Int, targetPort: Int, _ body: (TCPForwarder) async throws -> Result) async throws -> Result {
        let group = MultiThreadedEventLoopGroup.singleton
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                ClientBootstrap(group: inbound.eventLoop).connect(host: "127.0.0.1", port: targetPort).flatMap { outbound in
                    let (toTarget, toClient) = Splice.pair()
                    return inbound.pipeline.addHandler(toTarget).flatMap { outbound.pipeline.addHandler(toClient) }.map {
                        // The client's channel starts reading only once this initializer is done.
                        toTarget.peer = outbound
                        toClient.peer = inbound
                    }
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        return try await TCPForwarder(channel: channel).runThenStop(body)
    }

    package func stop() async {
        try? await channel.close()
    }
}

/// One direction of a spliced connection: what arrives on one channel is written to its peer, and a close on
/// either side closes both. `@unchecked Sendable` is safe because both channels of a pair share one event
/// loop (the outbound one is connected on the inbound one's loop), and `peer` is set and read only there.
private final class Splice: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    var peer: (any Channel)?

    static func pair() -> (Splice, Splice) { (Splice(), Splice()) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let channel = context.channel
        peer?.writeAndFlush(unwrapInboundIn(data)).whenFailure { _ in channel.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer?.close(promise: nil)
        context.fireChannelInactive()
    }
}
