import ArkyraCore
import Foundation
import Synchronization

/// One refresh per refresh token, however many of a browser's requests arrive with it at once. A page and
/// its scripts often send several requests the moment an access token expires; refreshing each would
/// present the same refresh token twice, which SessionService rightly takes for a stolen copy and ends the
/// session. Requests that come with a token already being refreshed wait for that refresh and share its
/// tokens; for a short while after, they get the same answer. (Per process: requests of one browser that
/// a load balancer spreads over several API instances can still race; sticky sessions avoid that.)
final class RefreshCoalescer: Sendable {
    private let recent = Mutex<[Data: Entry]>([:])
    private let window: TimeInterval

    private enum Entry {
        case running(Task<SessionService.Tokens, any Error>)
        case done(SessionService.Tokens, at: Date)
    }

    init(window: TimeInterval = 10) {
        self.window = window
    }

    func refresh(_ token: String, with refresh: @escaping @Sendable (String) async throws -> SessionService.Tokens) async throws -> SessionService.Tokens {
        let key = SecretToken.hash(token)
        let now = Date()
        let task: Task<SessionService.Tokens, any Error> = recent.withLock { entries in
            entries = entries.filter { if case .done(_, let at) = $0.value { return now.timeIntervalSince(at) < window } else { return true } }
            switch entries[key] {
            case .running(let task): return task
            case .done(let tokens, _): return Task { tokens }
            case nil:
                let task = Task { try await refresh(token) }
                entries[key] = .running(task)
                return task
            }
        }
        do {
            let tokens = try await task.value
            recent.withLock { entries in
                if case .running = entries[key] { entries[key] = .done(tokens, at: Date()) }
            }
            return tokens
        } catch {
            recent.withLock { entries in
                if case .running = entries[key] { entries[key] = nil }
            }
            throw error
        }
    }
}
