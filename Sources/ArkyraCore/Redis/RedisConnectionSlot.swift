import NIOCore
import NIOPosix
import Synchronization

/// One shared connection of the pool: connects on first use, reconnects after the connection drops, and
/// backs off exponentially after failed attempts so an outage answers fast instead of piling up connects.
final class RedisConnectionSlot: Sendable {
    private enum State {
        case idle(failures: Int, retryAt: NIODeadline?, lastError: RedisError?)
        case connecting(EventLoopFuture<RedisConnection>)
        case connected(RedisConnection)
        case shutDown
    }

    private let state = Mutex<State>(.idle(failures: 0, retryAt: nil, lastError: nil))
    private let configuration: RedisConfiguration
    private let eventLoop: any EventLoop

    init(configuration: RedisConfiguration, eventLoop: any EventLoop) {
        self.configuration = configuration
        self.eventLoop = eventLoop
    }

    /// The live connection, connecting when there is none.
    /// - Throws: ``RedisError`` `.unavailable` while connecting fails or during back-off.
    func connection() async throws -> RedisConnection {
        enum Next {
            case use(RedisConnection)
            case wait(EventLoopFuture<RedisConnection>)
            case connect(EventLoopPromise<RedisConnection>, failures: Int)
            case fail(RedisError)
        }
        let next: Next = state.withLock { state in
            switch state {
            case .connected(let connection) where connection.isActive:
                return .use(connection)
            case .connecting(let future):
                return .wait(future)
            case .shutDown:
                return .fail(RedisError(.unavailable, "client is shut down"))
            case .idle(let failures, let retryAt, let lastError):
                if let retryAt, retryAt > .now() {
                    return .fail(lastError ?? RedisError(.unavailable, "backing off after a failed connect"))
                }
                let promise = eventLoop.makePromise(of: RedisConnection.self)
                state = .connecting(promise.futureResult)
                return .connect(promise, failures: failures)
            case .connected:
                let promise = eventLoop.makePromise(of: RedisConnection.self)
                state = .connecting(promise.futureResult)
                return .connect(promise, failures: 0)
            }
        }
        switch next {
        case .use(let connection):
            return connection
        case .wait(let future):
            return try await future.get()
        case .fail(let error):
            throw error
        case .connect(let promise, let failures):
            do {
                let connection = try await RedisConnection.connect(configuration: configuration, eventLoopGroup: eventLoop)
                let keep = state.withLock { state -> Bool in
                    if case .shutDown = state { return false }
                    state = .connected(connection)
                    return true
                }
                if !keep { await connection.close() }
                promise.succeed(connection)
                return connection
            } catch {
                let redisError = error as? RedisError ?? RedisError(.unavailable, "\(error)")
                let backoff = Self.backoff(failures: failures + 1)
                state.withLock { state in
                    if case .shutDown = state { return }
                    state = .idle(failures: failures + 1, retryAt: .now() + backoff, lastError: redisError)
                }
                promise.fail(redisError)
                throw redisError
            }
        }
    }

    /// Closes the connection and refuses further use.
    func shutdown() async {
        let connection: RedisConnection? = state.withLock { state in
            defer { state = .shutDown }
            if case .connected(let connection) = state { return connection }
            return nil
        }
        await connection?.close()
    }

    /// 50 ms doubling per failure up to 2 s, with up to 20 % jitter so replicas do not reconnect in step.
    static func backoff(failures: Int) -> TimeAmount {
        let base = min(50 * (1 << min(failures, 10)), 2000)
        return .milliseconds(Int64(base + Int.random(in: 0...(base / 5))))
    }
}
