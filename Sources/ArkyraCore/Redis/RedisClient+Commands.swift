import NIOCore

/// Typed wrappers of the commands ARKYRA uses. Each decodes the reply or throws `.unexpectedReply`.
extension RedisClient {
    /// PING; true when Redis answers PONG.
    package func ping() async throws -> Bool {
        try await send(RedisCommand("PING")).string == "PONG"
    }

    /// GET: the value, or nil when the key does not exist.
    package func get(_ key: String) async throws -> String? {
        try await send(RedisCommand("GET", .string(key))).string
    }

    /// SET with an optional expiry; `onlyIfAbsent` adds NX. Returns whether the value was written.
    @discardableResult
    package func set(_ key: String, _ value: String, expiresIn: Duration? = nil, onlyIfAbsent: Bool = false) async throws -> Bool {
        var arguments: [RedisArgument] = [.string(key), .string(value)]
        if let expiresIn { arguments += ["PX", .string(String(expiresIn.milliseconds))] }
        if onlyIfAbsent { arguments.append("NX") }
        return !(try await send(RedisCommand("SET", arguments))).isNull
    }

    /// GETDEL: the value, removed in the same step (so two callers never both get it).
    package func take(_ key: String) async throws -> String? {
        try await send(RedisCommand("GETDEL", .string(key))).string
    }

    /// DEL: how many of the keys existed.
    @discardableResult
    package func delete(_ keys: [String]) async throws -> Int {
        guard !keys.isEmpty else { return 0 }
        return try integer(await send(RedisCommand("DEL", keys.map { .string($0) })))
    }

    /// ZADD of one member with its score; returns whether the member is new.
    @discardableResult
    package func zadd(_ key: String, score: Double, member: String) async throws -> Bool {
        try integer(await send(RedisCommand("ZADD", .string(key), .string(String(score)), .string(member)))) == 1
    }

    /// ZSCORE: the member's score, or nil when it is not in the set.
    package func zscore(_ key: String, member: String) async throws -> Double? {
        let reply = try await send(RedisCommand("ZSCORE", .string(key), .string(member)))
        switch reply {
        case .double(let value): return value
        default: return reply.string.flatMap(Double.init)
        }
    }

    /// ZCARD: the number of members.
    package func zcard(_ key: String) async throws -> Int {
        try integer(await send(RedisCommand("ZCARD", .string(key))))
    }

    /// XLEN: the number of entries in a stream.
    package func xlen(_ key: String) async throws -> Int {
        try integer(await send(RedisCommand("XLEN", .string(key))))
    }

    /// PUBLISH: how many subscribers received the message.
    @discardableResult
    package func publish(_ channel: String, _ message: String) async throws -> Int {
        try integer(await send(RedisCommand("PUBLISH", .string(channel), .string(message))))
    }

    /// Creates a consumer group (and the stream, MKSTREAM) unless it exists.
    package func ensureConsumerGroup(stream: String, group: String) async throws {
        do {
            try await send(RedisCommand("XGROUP", "CREATE", .string(stream), .string(group), "0", "MKSTREAM"))
        } catch let error as RedisError where error.serverPrefix == "BUSYGROUP" {
            return
        }
    }

    func integer(_ reply: RESPValue) throws -> Int {
        guard let value = reply.int else { throw RedisError(.unexpectedReply, "expected an integer, got \(reply)") }
        return value
    }
}

extension RedisConnection {
    /// XREADGROUP on one stream: up to `count` new entries for `consumer`, blocking up to `block` (not at all
    /// when nil). Run a blocking read on a dedicated connection: it holds the connection while it blocks.
    package func readGroup(stream: String, group: String, consumer: String, count: Int, block: Duration?) async throws -> [StreamEntry] {
        var arguments: [RedisArgument] = ["GROUP", .string(group), .string(consumer), "COUNT", .int(count)]
        if let block { arguments += ["BLOCK", .string(String(block.milliseconds))] }
        arguments += ["STREAMS", .string(stream), ">"]
        let reply = try await send(RedisCommand("XREADGROUP", arguments), timeout: (block ?? .zero) + .seconds(5))
        return try StreamEntry.entries(fromReadReply: reply)
    }

    /// XREAD without a group: waits up to `block` until `stream` has an entry after `id`; returns whether one
    /// came. Nothing is delivered or claimed.
    package func waitForEntry(in stream: String, after id: String, block: Duration) async throws -> Bool {
        let reply = try await send(
            RedisCommand("XREAD", "COUNT", "1", "BLOCK", .string(String(block.milliseconds)), "STREAMS", .string(stream), .string(id)),
            timeout: block + .seconds(5)
        )
        return try !StreamEntry.entries(fromReadReply: reply).isEmpty
    }

    /// The id of the last entry delivered to `group` (XINFO GROUPS), "0-0" when the group is unknown.
    package func lastDeliveredID(stream: String, group: String) async throws -> String {
        let reply = try await send(RedisCommand("XINFO", "GROUPS", .string(stream)))
        for info in reply.elements ?? [] {
            guard case .map(let pairs) = info else { throw RedisError(.unexpectedReply, "XINFO GROUPS \(info)") }
            let fields = Dictionary(pairs.compactMap { pair in pair.key.string.map { ($0, pair.value) } }, uniquingKeysWith: { first, _ in first })
            if fields["name"]?.string == group, let id = fields["last-delivered-id"]?.string { return id }
        }
        return "0-0"
    }
}

/// One stream entry: its id and its field/value pairs.
package struct StreamEntry: Sendable, Equatable {
    package var id: String
    package var fields: [String: String]

    package init(id: String, fields: [String: String]) {
        self.id = id
        self.fields = fields
    }

    /// Decodes the reply of XREAD/XREADGROUP (RESP3 map or RESP2 array of `[stream, entries]`).
    static func entries(fromReadReply reply: RESPValue) throws -> [StreamEntry] {
        if reply.isNull { return [] }
        var streams: [RESPValue] = []
        switch reply {
        case .map(let pairs): streams = pairs.map(\.value)
        case .array(.some(let items)):
            for item in items {
                guard let pair = item.elements, pair.count == 2 else { throw RedisError(.unexpectedReply, "stream reply") }
                streams.append(pair[1])
            }
        default: throw RedisError(.unexpectedReply, "stream reply \(reply)")
        }
        return try streams.flatMap { try entries(fromRange: $0) }
    }

    /// Decodes a list of `[id, [field, value, ...]]` (XRANGE, XAUTOCLAIM, one stream of XREAD).
    static func entries(fromRange value: RESPValue) throws -> [StreamEntry] {
        guard let items = value.elements else { return [] }
        return try items.compactMap { item in
            guard let pair = item.elements, pair.count == 2, let id = pair[0].string else {
                throw RedisError(.unexpectedReply, "stream entry")
            }
            // A deleted entry that is still pending comes back with null fields.
            guard let flat = pair[1].elements else { return nil }
            var fields: [String: String] = [:]
            for index in stride(from: 0, to: flat.count - 1, by: 2) {
                if let key = flat[index].string { fields[key] = flat[index + 1].string }
            }
            return StreamEntry(id: id, fields: fields)
        }
    }
}
