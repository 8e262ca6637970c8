@testable import ArkyraCore
import ArkyraTestSupport
import Foundation
import Testing

@Suite("Redis client against the real server")
struct RedisClientTests {
    @Test("set, get, delete round trip with typed replies")
    func roundTrip() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            let key = redis.key("greeting")
            #expect(try await redis.set(key, "hello"))
            #expect(try await redis.get(key) == "hello")
            #expect(try await redis.set(key, "again", onlyIfAbsent: true) == false)
            #expect(try await redis.delete([key]) == 1)
            #expect(try await redis.get(key) == nil)
        }
    }

    @Test("a pipeline of 1,000 commands answers in order, errors in place")
    func pipelineOrder() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            let key = redis.key("counter")
            var commands = (0..<1000).map { _ in RedisCommand("INCR", .string(key)) }
            commands.insert(RedisCommand("HGET", .string(key), "field"), at: 500)
            let results = try await redis.pipeline(commands)
            #expect(results.count == 1001)
            #expect(try results[0].get().int == 1)
            #expect(throws: RedisError.self) { try results[500].get() }
            #expect(try results[1000].get().int == 1000)
        }
    }

    @Test("concurrent callers share the pool without mixing replies")
    func concurrentCallers() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let key = redis.key("k\(index)")
                        try await redis.set(key, "v\(index)")
                        let value = try await redis.get(key)
                        #expect(value == "v\(index)")
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test("a Lua script runs with EVALSHA and falls back to EVAL after SCRIPT FLUSH")
    func scriptFallback() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
            let key = redis.key("lua")
            #expect(try await redis.run(script, keys: [key], arguments: ["5"]).int == 5)
            try await redis.send(RedisCommand("SCRIPT", "FLUSH"))
            #expect(try await redis.run(script, keys: [key], arguments: ["2"]).int == 7)
            #expect(try await redis.run(script, keys: [key], arguments: ["1"]).int == 8)
        }
    }

    @Test("a blocking read on a dedicated connection does not hold up pooled commands")
    func blockingDoesNotStarvePool() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            let stream = redis.key("stream")
            try await redis.ensureConsumerGroup(stream: stream, group: "g")
            let connection = try await redis.makeDedicatedConnection()
            async let blocked = connection.readGroup(stream: stream, group: "g", consumer: "c", count: 1, block: .seconds(20))
            // The ping must answer while the read still blocks: held behind it, it would answer only after the
            // read gave up empty-handed, and the entry added next would not reach the read.
            #expect(try await redis.ping())
            try await redis.send(RedisCommand("XADD", .string(stream), "*", "job", "x"))
            let entries = try await blocked
            #expect(entries.count == 1)
            #expect(entries.first?.fields["job"] == "x")
            await connection.close()
        }
    }

    @Test("a command past its deadline fails with timeout and the slot reconnects")
    func deadline() async throws {
        var configuration = TestEnvironment.redisConfiguration()
        configuration.poolSize = 1
        configuration.commandTimeout = .seconds(1)
        let redis = RedisClient(configuration: configuration)
        await #expect(throws: RedisError(.timeout, "no reply before the deadline")) {
            try await redis.send(RedisCommand("BLPOP", .string(redis.key("never")), "4"))
        }
        #expect(try await redis.ping())
        await redis.shutdown()
    }

    @Test("the wait between connects to an unreachable server doubles from 100 ms to 2 s, with at most 20 % jitter")
    func backoffGrows() {
        let expected: [(failures: Int, base: Int64)] = [(1, 100), (2, 200), (3, 400), (5, 1600), (6, 2000), (40, 2000)]
        for (failures, base) in expected {
            let wait = RedisConnectionSlot.backoff(failures: failures).nanoseconds / 1_000_000
            #expect((base...base + base / 5).contains(wait), "after \(failures) failures: \(wait) ms")
        }
    }

    @Test("an unreachable server fails fast with unavailable, also while backing off")
    func unreachable() async throws {
        var configuration = TestEnvironment.redisConfiguration()
        configuration.port = 1
        let redis = RedisClient(configuration: configuration)
        for _ in 0..<3 {
            await #expect(performing: { try await redis.ping() }, throws: { ($0 as? RedisError)?.code == .unavailable })
        }
        await redis.shutdown()
    }

    @Test("pub/sub delivers published messages to a scoped subscription")
    func pubSub() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            let channel = redis.key("events")
            let received = try await redis.subscribe(to: [channel]) { messages in
                try await redis.publish(channel, "first")
                try await redis.publish(channel, "second")
                var payloads: [String] = []
                for await message in messages {
                    payloads.append(message.payload)
                    if payloads.count == 2 { break }
                }
                return payloads
            }
            #expect(received == ["first", "second"])
            #expect(try await redis.publish(channel, "nobody") == 0)
        }
    }
}

@Suite("Redis client through an outage")
struct RedisOutageTests {
    @Test("commands fail while Redis is down and succeed again once it is back, without a restart")
    func recovers() async throws {
        let port = try freeTCPPort()
        var configuration = TestEnvironment.redisConfiguration()
        configuration.port = port
        let redis = RedisClient(configuration: configuration)
        try await TestRedisServer.with(port: port) { _ async throws in
            #expect(try await redis.set(redis.key("k"), "before"))
        }
        await #expect(throws: RedisError.self) { try await redis.get(redis.key("k")) }
        try await TestRedisServer.with(port: port) { _ async throws in
            // Each pooled connection reconnects once its back-off (at most about 2.4 s) has passed.
            var recovered = 0
            for _ in 0..<60 where recovered < 10 {
                if (try? await redis.set(redis.key("k"), "after")) == true {
                    recovered += 1
                } else {
                    recovered = 0
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(recovered == 10)
        }
        await redis.shutdown()
    }
}
