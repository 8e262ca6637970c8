import NIOCore

/// What a caller writes into a Redis channel: commands sent together (pipelined) and a promise per reply.
struct RedisRequest {
    var commands: [RedisCommand]
    /// One promise per command, in order; empty for commands whose answer arrives as a push (SUBSCRIBE).
    var promises: [EventLoopPromise<RESPValue>]
    var deadline: NIODeadline?
}

/// Encodes requests, parses replies and matches them to waiting promises in FIFO order; routes RESP3 pushes
/// to `onPush`. A deadline that passes fails every waiting command and closes the connection, because after a
/// lost reply the order of the replies that follow can no longer be trusted.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        var id: UInt64
        var promise: EventLoopPromise<RESPValue>
    }

    private var pending = CircularBuffer<Pending>(initialCapacity: 16)
    private var nextID: UInt64 = 0
    private var cumulation: ByteBuffer?
    private let onPush: @Sendable (RESPValue) -> Void
    private var context: ChannelHandlerContext?
    /// Why this handler closed the connection itself; waiting commands fail with it.
    private var closingError: RedisError?

    init(onPush: @escaping @Sendable (RESPValue) -> Void) {
        self.onPush = onPush
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        failAll(closingError ?? RedisError(.connectionClosed, "connection handler removed"))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let closingError {
            // Closing: nothing more is sent, and what asks gets the reason at once.
            for replyPromise in request.promises { replyPromise.fail(closingError) }
            promise?.fail(closingError)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 64 * request.commands.count)
        for command in request.commands {
            command.encode(into: &buffer)
        }
        var lastID: UInt64 = 0
        for replyPromise in request.promises {
            nextID &+= 1
            lastID = nextID
            pending.append(Pending(id: nextID, promise: replyPromise))
        }
        if let deadline = request.deadline, !request.promises.isEmpty {
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            let finalID = lastID
            context.eventLoop.scheduleTask(deadline: deadline) {
                loopBound.value.deadlinePassed(for: finalID)
            }
        }
        // A failed socket write leaves the reply order unknowable: close, failing everything that waits.
        let written = context.eventLoop.makePromise(of: Void.self)
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        written.futureResult.whenComplete { result in
            if case .failure(let error) = result {
                loopBound.value.close(because: RedisError(.connectionClosed, "write failed: \(error)"))
            }
            promise?.completeWith(result)
        }
        context.write(wrapOutboundOut(buffer), promise: written)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if var buffer = cumulation {
            buffer.writeBuffer(&incoming)
            cumulation = buffer
        } else {
            cumulation = incoming
        }
        do {
            while var buffer = cumulation, let value = try RESPParser.parse(&buffer) {
                cumulation = buffer.readableBytes > 0 ? buffer : nil
                deliver(value)
            }
            if var buffer = cumulation, buffer.readerIndex > 64 * 1024 {
                buffer.discardReadBytes()
                cumulation = buffer
            }
        } catch {
            close(because: error as? RedisError ?? RedisError(.protocolViolation, "\(error)"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(closingError ?? RedisError(.connectionClosed, "connection closed by peer"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(because: RedisError(.connectionClosed, "\(error)"))
    }

    /// Closes the connection first, so no new command is written to it, then fails what waits with `error`.
    private func close(because error: RedisError) {
        if closingError == nil { closingError = error }
        context?.close(promise: nil)
        failAll(error)
    }

    private func deliver(_ value: RESPValue) {
        if case .push = value {
            onPush(value)
            return
        }
        guard let head = pending.popFirst() else {
            // A reply nobody waits for means the stream is out of step: nothing after it can be trusted.
            close(because: RedisError(.protocolViolation, "unexpected reply"))
            return
        }
        if case .error(let message) = value {
            head.promise.fail(RedisError(.server, message))
        } else {
            head.promise.succeed(value)
        }
    }

    private func deadlinePassed(for id: UInt64) {
        guard let first = pending.first, first.id <= id else { return }
        close(because: RedisError(.timeout, "no reply before the deadline"))
    }

    private func failAll(_ error: any Error) {
        while let entry = pending.popFirst() {
            entry.promise.fail(error)
        }
    }
}
