import ArkyraCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Access tokens are stateless and short-lived; a revoked session must still stop working at once. The
/// revocation is the session's `revoked_at` in PostgreSQL, written in the transaction that ends it, so it
/// cannot be lost. Each API process keeps the sessions revoked within an access token's lifetime in memory,
/// reloaded every second (one indexed query per process, none per request), and adds its own revocations at
/// once. While the copy is more than a few seconds old (PostgreSQL unreachable), each request asks
/// PostgreSQL instead; if that fails too, the request fails with 503 rather than trusting a stale copy.
package final class RevokedSessions: Service, Sendable {
    private let database: Database
    private let sessions: SessionRepository
    /// How far back revocations matter: no access token outlives this.
    private let window: Duration
    private let reloadEvery: Duration
    /// A copy older than this is not trusted.
    private let maximumAge: Duration
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var revoked: Set<UUID> = []
        var loadedAt: ContinuousClock.Instant?
        /// Revocations this process made, kept apart for a minute: a reload that began before their commit
        /// would otherwise replace the set without them.
        var noted: [UUID: ContinuousClock.Instant] = [:]
    }

    init(database: Database, sessions: SessionRepository, accessTokenLifetime: Duration, reloadEvery: Duration = .seconds(1),
         maximumAge: Duration = .seconds(5), logger: Logger) {
        self.database = database
        self.sessions = sessions
        self.window = accessTokenLifetime + .seconds(5)
        self.reloadEvery = reloadEvery
        self.maximumAge = maximumAge
        self.logger = logger
    }

    /// Reloads the copy every second until the service group shuts down.
    package func run() async {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await reload()
            } catch {
                logger.warning("cannot reload revoked sessions; requests check PostgreSQL until it answers", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: reloadEvery)
        }
    }

    func reload() async throws {
        let revoked = try await sessions.revoked(within: window, client: database)
        state.withLock { state in
            state.revoked = Set(revoked)
            state.loadedAt = .now
            state.noted = state.noted.filter { ContinuousClock.now - $0.value < .seconds(60) }
        }
    }

    /// Records sessions this process has just revoked (their `revoked_at` is committed already).
    func noteRevoked(_ sessionIDs: [UUID]) {
        state.withLock { state in
            for id in sessionIDs { state.noted[id] = .now }
        }
    }

    /// - Throws: when the copy is stale and PostgreSQL cannot answer (the API answers 503).
    func isRevoked(_ sessionID: UUID) async throws -> Bool {
        let cached: Bool? = state.withLock { state in
            if state.noted[sessionID] != nil { return true }
            guard let loadedAt = state.loadedAt, ContinuousClock.now - loadedAt < maximumAge else { return nil }
            return state.revoked.contains(sessionID)
        }
        if let cached { return cached }
        return try await sessions.isRevoked(sessionID, client: database)
    }
}
