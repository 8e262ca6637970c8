import NIOCore

/// A message received on a subscribed channel.
package struct RedisMessage: Sendable, Equatable {
    package var channel: String
    package var payload: String
}

extension RedisClient {
    /// Subscribes to `channels` and to channel `patterns` (PSUBSCRIBE, `prefix:events:*`) on a connection of
    /// its own and runs `body` with the stream of messages (each names the channel it came on).
    /// The subscription ends (and its connection closes) when `body` returns or throws. The stream finishes
    /// when the connection drops, so a caller that wants to stay subscribed loops and subscribes again.
    /// - Throws: ``RedisError`` `.unavailable` when connecting fails, or what `body` throws.
    package func subscribe<Result: Sendable>(
        to channels: [String],
        patterns: [String] = [],
        _ body: (AsyncStream<RedisMessage>) async throws -> Result
    ) async throws -> Result {
        let (stream, continuation) = AsyncStream<RedisMessage>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let (confirmations, confirm) = AsyncStream<String>.makeStream()
        let connection = try await RedisConnection.connect(configuration: configuration) { push in
            guard let items = push.elements, let kind = items.first?.string else { return }
            switch kind {
            case "message" where items.count == 3:
                if let channel = items[1].string, let payload = items[2].string {
                    continuation.yield(RedisMessage(channel: channel, payload: payload))
                }
            case "pmessage" where items.count == 4:
                if let channel = items[2].string, let payload = items[3].string {
                    continuation.yield(RedisMessage(channel: channel, payload: payload))
                }
            case "subscribe", "psubscribe":
                if items.count >= 2 { confirm.yield(items[1].string ?? "") }
            default:
                break
            }
        }
        connection.channel.closeFuture.whenComplete { _ in
            continuation.finish()
            confirm.finish()
        }
        defer { continuation.finish() }
        do {
            if !channels.isEmpty { try await connection.sendExpectingPush(RedisCommand("SUBSCRIBE", channels.map { .string($0) })) }
            if !patterns.isEmpty { try await connection.sendExpectingPush(RedisCommand("PSUBSCRIBE", patterns.map { .string($0) })) }
            let expected = channels.count + patterns.count
            var confirmed = 0
            for await _ in confirmations {
                confirmed += 1
                if confirmed == expected { break }
            }
            guard confirmed == expected else { throw RedisError(.connectionClosed, "closed before SUBSCRIBE was confirmed") }
            let result = try await body(stream)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }
}
