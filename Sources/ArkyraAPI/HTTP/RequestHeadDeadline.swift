import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// The HTTP server's connections, with a deadline on every request head. The idle timeout alone lets a
/// client that sends one header byte every few seconds hold a connection for ever (slowloris). A connection
/// whose first request head has not fully arrived within `limit` of opening is closed (``FirstHeadDeadline``,
/// on the raw bytes: the HTTP handlers are only installed once that head is in), and so is one whose next
/// head has not arrived within `limit` of the previous response (``NextHeadDeadline``).
struct HeadDeadlineChannel<Base: ServerChildChannel>: ServerChildChannel {
    let base: Base
    let limit: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Base.Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(FirstHeadDeadline(limit: limit), position: .first)
        }.flatMap { base.setup(channel: channel, logger: logger) }
    }

    func handle(value: Base.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Closes the connection unless the bytes that end a request head (`CRLF CRLF`) arrive within `limit` of
/// opening; then steps out of the pipeline.
final class FirstHeadDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let limit: TimeAmount
    private var timer: Scheduled<Void>?
    /// The last bytes seen, so that `CRLF CRLF` split across reads is found.
    private var tail: [UInt8] = []

    init(limit: TimeAmount) {
        self.limit = limit
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func channelActive(context: ChannelHandlerContext) {
        if timer == nil { arm(context) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = tail + Array(unwrapInboundIn(data).readableBytesView)
        let ended = bytes.count >= 4 && (0...(bytes.count - 4)).contains { bytes[$0..<($0 + 4)] == [13, 10, 13, 10] }
        tail = Array(bytes.suffix(3))
        context.fireChannelRead(data)
        if ended {
            timer?.cancel()
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    private func arm(_ context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: limit) {
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension FirstHeadDeadline: Sendable {}

/// After each response, closes the connection unless the next request head arrives within `limit`.
final class NextHeadDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limit: TimeAmount
    private var timer: Scheduled<Void>?

    init(limit: TimeAmount) {
        self.limit = limit
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            timer?.cancel()
            timer = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            timer?.cancel()
            timer = context.eventLoop.assumeIsolated().scheduleTask(in: limit) {
                context.close(promise: nil)
            }
        }
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension NextHeadDeadline: Sendable {}
