import ArkyraCore
import Synchronization

/// The entries a consumer holds right now, for its heartbeat and its capacity.
final class InFlightJobs: Sendable {
    private let entries = Mutex<Set<String>>([])

    var count: Int { entries.withLock { $0.count } }
    var ids: [String] { entries.withLock { Array($0) } }

    func insert(_ id: String) { entries.withLock { _ = $0.insert(id) } }
    func remove(_ id: String) { entries.withLock { _ = $0.remove(id) } }
}
