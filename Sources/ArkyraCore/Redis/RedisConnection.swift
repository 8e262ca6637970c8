import Logging
import NIOCore
import NIOPosix

/// One connection to Redis, speaking RESP3. Safe to share: commands from many tasks are pipelined on it and
/// their replies matched in order. Blocking commands and subscriptions need a connection of their own.
package final class RedisConnection: Sendable {
    let channel: any Channel
    private let commandTimeout: Duration

    /// A connection over `channel`, whose pipeline already holds a ``RedisChannelHandler`` (wire tests use an
    /// embedded channel).
    init(channel: any Channel, commandTimeout: Duration) {
        self.channel = channel
        self.commandTimeout = commandTimeout
    }

    /// Connects, switches to RESP3 (authenticating when a password is configured) and selects the database.
    /// - Parameter onPush: receives out-of-band pushes (pub/sub messages); ignored by default.
    /// - Throws: ``RedisError`` `.unavailable` when the connection or handshake fails.
    package static func connect(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onPush: @escaping @Sendable (RESPValue) -> Void = { _ in }
    ) async throws -> RedisConnection {
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoopGroup)
                // A TCP-level option: `.socketOption(.tcp_nodelay)` would set SO_DEBUG (the same number at the socket
                // level), which a container without capabilities refuses.
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .connectTimeout(TimeAmount(configuration.connectTimeout))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(RedisChannelHandler(onPush: onPush))
                    }
                }
                .connect(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            throw RedisError(.unavailable, "cannot connect to \(configuration.host):\(configuration.port): \(error)")
        }
        let connection = RedisConnection(channel: channel, commandTimeout: configuration.commandTimeout)
        do {
            var hello: [RedisArgument] = ["3"]
            if let password = configuration.password {
                hello += ["AUTH", .string(configuration.username ?? "default"), .string(password)]
            }
            _ = try await connection.send(RedisCommand("HELLO", hello), timeout: configuration.connectTimeout)
            if configuration.database != 0 {
                _ = try await connection.send(RedisCommand("SELECT", .int(configuration.database)), timeout: configuration.connectTimeout)
            }
        } catch {
            await connection.close()
            throw RedisError(.unavailable, "handshake with \(configuration.host):\(configuration.port) failed: \(error)")
        }
        return connection
    }

    /// Whether the socket is still open.
    package var isActive: Bool { channel.isActive }

    /// Sends one command and waits for its reply.
    /// - Parameter timeout: the deadline; the configured command timeout when nil. Blocking commands pass
    ///   their block time plus a margin.
    /// - Throws: ``RedisError``: `.server` for an error reply, `.timeout`, `.connectionClosed`.
    package func send(_ command: RedisCommand, timeout: Duration? = nil) async throws -> RESPValue {
        let promise = channel.eventLoop.makePromise(of: RESPValue.self)
        let deadline = NIODeadline.now() + TimeAmount(timeout ?? commandTimeout)
        write(RedisRequest(commands: [command], promises: [promise], deadline: deadline))
        return try await promise.futureResult.get()
    }

    /// Sends several commands in one write and returns each reply (or its error) in order.
    package func pipeline(_ commands: [RedisCommand]) async throws -> [Result<RESPValue, any Error>] {
        guard !commands.isEmpty else { return [] }
        let promises = commands.map { _ in channel.eventLoop.makePromise(of: RESPValue.self) }
        let deadline = NIODeadline.now() + TimeAmount(commandTimeout)
        write(RedisRequest(commands: commands, promises: promises, deadline: deadline))
        // One wait for the whole batch rather than one per reply.
        let all = EventLoopFuture.whenAllComplete(promises.map(\.futureResult), on: channel.eventLoop)
        return try await all.get()
    }

    /// Writes `request`. A write that fails — the pipeline torn down before the handler saw it, the socket
    /// gone — fails every reply it waits for with that error, so no caller waits for a reply that cannot come.
    private func write(_ request: RedisRequest) {
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { error in
            let failure = error as? RedisError ?? RedisError(.connectionClosed, "the command could not be written: \(error)")
            for promise in request.promises { promise.fail(failure) }
        }
        channel.writeAndFlush(request, promise: written)
    }

    /// Writes a command whose answer arrives as a push (SUBSCRIBE, UNSUBSCRIBE and their pattern forms).
    func sendExpectingPush(_ command: RedisCommand) async throws {
        try await channel.writeAndFlush(RedisRequest(commands: [command], promises: [], deadline: nil))
    }

    /// Closes the socket; waiting commands fail with `.connectionClosed`.
    package func close() async {
        try? await channel.close()
    }
}
