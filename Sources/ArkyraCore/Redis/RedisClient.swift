import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// ARKYRA's Redis client: a small pool of shared, pipelined connections for ordinary commands, plus
/// connections of their own for blocking commands and subscriptions (so those never starve the pool).
///
/// Run it as a `Service`: it closes its connections on graceful shutdown.
package final class RedisClient: Service, Sendable {
    package let configuration: RedisConfiguration
    private let slots: [RedisConnectionSlot]
    private let next = Atomic<Int>(0)
    private let inFlight = Atomic<Int>(0)
    private let eventLoopGroup: any EventLoopGroup

    package init(configuration: RedisConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.slots = (0..<configuration.poolSize).map { _ in
            RedisConnectionSlot(configuration: configuration, eventLoop: eventLoopGroup.next())
        }
    }

    /// Waits for graceful shutdown, then closes every pooled connection.
    package func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Closes every pooled connection; later commands fail with `.unavailable`.
    package func shutdown() async {
        for slot in slots {
            await slot.shutdown()
        }
    }

    /// Sends one command on a pooled connection.
    /// - Throws: ``RedisError``.
    @discardableResult
    package func send(_ command: RedisCommand) async throws -> RESPValue {
        inFlight.add(1, ordering: .relaxed)
        defer { inFlight.subtract(1, ordering: .relaxed) }
        return try await pooledConnection().send(command)
    }

    /// Sends commands in one write on one pooled connection; replies come back in order.
    /// - Throws: ``RedisError`` when no connection can be had; per-command failures are in the results.
    package func pipeline(_ commands: [RedisCommand]) async throws -> [Result<RESPValue, any Error>] {
        inFlight.add(1, ordering: .relaxed)
        defer { inFlight.subtract(1, ordering: .relaxed) }
        return try await pooledConnection().pipeline(commands)
    }

    /// Commands and pipelines sent on the pooled connections and not yet answered.
    package var commandsInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// A connection of its own that the caller closes: for blocking commands (a long-lived XREADGROUP reader),
    /// which would otherwise hold up every command pipelined behind them.
    package func makeDedicatedConnection() async throws -> RedisConnection {
        try await RedisConnection.connect(configuration: configuration, eventLoopGroup: eventLoopGroup)
    }

    /// Prefixes `name` with the configured key prefix: `prefix:name`.
    package func key(_ name: String) -> String {
        "\(configuration.keyPrefix):\(name)"
    }

    private func pooledConnection() async throws -> RedisConnection {
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return try await slots[index % slots.count].connection()
    }
}
