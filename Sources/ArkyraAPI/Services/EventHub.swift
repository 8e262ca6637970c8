import ArkyraCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The organization event streams of one API process. One Redis subscription (to every organization's
/// channel, by pattern) feeds every open socket from memory, instead of one Redis connection per socket.
/// Sockets are capped per user and per process, and closed when their session is revoked (checked every
/// second, from the in-memory copy of revocations) or their user is no longer a member who may read the
/// organization (checked every two seconds, one query for all sockets).
package final class EventHub: Service, Sendable {
    /// What a socket is told: an event's JSON, or that it must close and why.
    enum Delivery: Sendable, Equatable {
        case event(String)
        case close(String)
    }

    struct Listener: Sendable {
        var organizationID: UUID
        var userID: UUID
        var sessionID: UUID?
        var continuation: AsyncStream<Delivery>.Continuation
    }

    private let redis: RedisClient
    private let database: Database
    private let revocations: RevokedSessions
    let maximumPerUser: Int
    let maximumSockets: Int
    private let logger: Logger
    private let listeners = Mutex(Listeners())

    /// The open sockets, indexed so that relaying an event and checking a cap cost the same with one socket
    /// as with thousands.
    struct Listeners {
        var byID: [UUID: Listener] = [:]
        var byOrganization: [UUID: Set<UUID>] = [:]
        var countByUser: [UUID: Int] = [:]

        func hasRoom(for userID: UUID, perUser: Int, total: Int) -> Bool {
            byID.count < total && countByUser[userID, default: 0] < perUser
        }

        mutating func insert(_ listener: Listener, id: UUID) {
            byID[id] = listener
            byOrganization[listener.organizationID, default: []].insert(id)
            countByUser[listener.userID, default: 0] += 1
        }

        mutating func remove(_ id: UUID) -> Listener? {
            guard let listener = byID.removeValue(forKey: id) else { return nil }
            byOrganization[listener.organizationID]?.remove(id)
            if byOrganization[listener.organizationID]?.isEmpty == true { byOrganization[listener.organizationID] = nil }
            countByUser[listener.userID, default: 1] -= 1
            if countByUser[listener.userID] == 0 { countByUser[listener.userID] = nil }
            return listener
        }

        func of(organization: UUID) -> [Listener] {
            (byOrganization[organization] ?? []).compactMap { byID[$0] }
        }
    }

    init(redis: RedisClient, database: Database, revocations: RevokedSessions, maximumPerUser: Int = 10, maximumSockets: Int = 5_000, logger: Logger) {
        self.redis = redis
        self.database = database
        self.revocations = revocations
        self.maximumPerUser = maximumPerUser
        self.maximumSockets = maximumSockets
        self.logger = logger
    }

    /// Whether `userID` may open one more socket (checked before upgrading; ``open`` decides for good).
    func hasRoom(for userID: UUID) -> Bool {
        listeners.withLock { $0.hasRoom(for: userID, perUser: maximumPerUser, total: maximumSockets) }
    }

    /// Registers a socket; nil when a cap is reached. The stream ends after a `.close` or ``closeListener``.
    func open(organizationID: UUID, userID: UUID, sessionID: UUID?) -> (id: UUID, deliveries: AsyncStream<Delivery>)? {
        let (stream, continuation) = AsyncStream<Delivery>.makeStream(bufferingPolicy: .bufferingNewest(1_000))
        let id = UUID()
        let added = listeners.withLock { listeners -> Bool in
            guard listeners.hasRoom(for: userID, perUser: maximumPerUser, total: maximumSockets) else { return false }
            listeners.insert(Listener(organizationID: organizationID, userID: userID, sessionID: sessionID, continuation: continuation), id: id)
            return true
        }
        guard added else { return nil }
        return (id, stream)
    }

    func closeListener(_ id: UUID) {
        listeners.withLock { $0.remove(id) }?.continuation.finish()
    }

    /// Why a user at a cap cannot open another socket (short enough for a WebSocket close reason).
    var fullMessage: String { "\(maximumPerUser) event streams per user (or this server is full); close one first" }

    var socketCount: Int { listeners.withLock { $0.byID.count } }

    package func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.relay() }
            group.addTask { await self.watch() }
            await group.next()
            group.cancelAll()
        }
        for listener in listeners.withLock({ Array($0.byID.values) }) { listener.continuation.finish() }
    }

    /// Relays every organization's events to its sockets, subscribing again after Redis drops the connection.
    private func relay() async {
        let prefix = EventPublisher.channel(prefix: redis.configuration.keyPrefix, organizationID: UUID()).dropLast(36)
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await redis.subscribe(to: [], patterns: [prefix + "*"]) { messages in
                    for await message in messages {
                        guard let organizationID = UUID(uuidString: String(message.channel.dropFirst(prefix.count))) else { continue }
                        for listener in listeners.withLock({ $0.of(organization: organizationID) }) {
                            listener.continuation.yield(.event(message.payload))
                        }
                    }
                }
            } catch {
                logger.warning("event relay lost Redis; subscribing again", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Closes the sockets whose session ended or whose user may no longer read the organization.
    private func watch() async {
        var tick = 0
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .seconds(1))
            tick += 1
            do {
                try await closeEnded(checkingMembership: tick.isMultiple(of: 2))
            } catch {
                logger.warning("cannot check the event streams' sessions", metadata: ["error": "\(error)"])
            }
        }
    }

    func closeEnded(checkingMembership: Bool) async throws {
        let current = listeners.withLock { $0.byID }
        var ended: [UUID: String] = [:]
        for (id, listener) in current {
            if let sessionID = listener.sessionID, try await revocations.isRevoked(sessionID) { ended[id] = "the session has ended" }
        }
        if checkingMembership, !current.isEmpty {
            let pairs = Array(Set(current.values.map { Pair(organizationID: $0.organizationID, userID: $0.userID) }))
            let roles = try await self.roles(pairs)
            for (id, listener) in current where ended[id] == nil {
                let role = roles[Pair(organizationID: listener.organizationID, userID: listener.userID)]
                if role.map({ !$0.includes(Permission.readContent.minimumRole) }) ?? true { ended[id] = "no longer a member of the organization" }
            }
        }
        for (id, reason) in ended {
            guard let listener = listeners.withLock({ $0.remove(id) }) else { continue }
            listener.continuation.yield(.close(reason))
            listener.continuation.finish()
        }
    }

    private struct Pair: Hashable {
        var organizationID: UUID
        var userID: UUID
    }

    private func roles(_ pairs: [Pair]) async throws -> [Pair: Role] {
        let rows = try await database.query(
            """
            SELECT m.organization_id, m.user_id, m.role FROM memberships m
            JOIN unnest(\(pairs.map(\.organizationID))::uuid[], \(pairs.map(\.userID))::uuid[]) AS p (organization_id, user_id)
              ON m.organization_id = p.organization_id AND m.user_id = p.user_id
            """,
            logger: logger
        )
        var roles: [Pair: Role] = [:]
        for try await (organizationID, userID, role) in rows.decode((UUID, UUID, String).self) {
            roles[Pair(organizationID: organizationID, userID: userID)] = Role(rawValue: role)
        }
        return roles
    }
}
