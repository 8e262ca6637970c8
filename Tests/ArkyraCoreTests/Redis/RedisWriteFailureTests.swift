@testable import ArkyraCore
import NIOCore
import NIOEmbedded
import Testing

@Suite("Redis client: a command whose write fails never waits for a reply")
struct RedisWriteFailureTests {
    /// Fails every write that passes it, as a socket that broke would.
    final class FailingWrites: ChannelOutboundHandler, Sendable {
        typealias OutboundIn = ByteBuffer
        struct Broken: Error {}
        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            promise?.fail(Broken())
        }
    }

    @Test("a write the socket refuses fails the waiting reply and closes the connection")
    func socketRefusesWrite() async throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(FailingWrites())
        try channel.pipeline.syncOperations.addHandler(RedisChannelHandler(onPush: { _ in }))
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6379)).get()
        let connection = RedisConnection(channel: channel, commandTimeout: .seconds(3600))
        await #expect(throws: RedisError.self) { try await connection.send(RedisCommand("PING")) }
        #expect(!channel.isActive)
        // Nothing more goes out on it, and asking again is answered at once.
        await #expect(throws: RedisError.self) { try await connection.send(RedisCommand("PING")) }
        let replies = try await connection.pipeline([RedisCommand("PING"), RedisCommand("PING")])
        #expect(replies.count == 2)
        #expect(replies.allSatisfy { if case .failure = $0 { true } else { false } })
    }

    @Test("a write after the pipeline was torn down fails the waiting reply instead of leaving it forever")
    func pipelineTornDown() async throws {
        let channel = NIOAsyncTestingChannel()
        try await channel.pipeline.addHandler(RedisChannelHandler(onPush: { _ in }))
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6379)).get()
        let connection = RedisConnection(channel: channel, commandTimeout: .seconds(3600))
        try await channel.close().get()
        // Bounded so that a regression fails (TimeoutError is not a RedisError) instead of hanging the run.
        await #expect(throws: RedisError.self) { try await withTimeout(.seconds(30)) { try await connection.send(RedisCommand("GET", "key")) } }
    }
}
