import Synchronization

/// Shares a worker's capacity (how many jobs it runs at once) between its queues by weight. A queue's reader
/// takes slots before it reads and each job gives its slot back when it ends. While slots are short, the
/// readers waiting for one are served by smooth weighted round robin: with weights 4 and 1, four slots go to
/// the first queue for every one to the second, so a busy high-priority queue runs first and a low-priority
/// queue still never starves.
final class WeightedSlots: Sendable {
    private struct Waiter {
        let queue: Int
        let continuation: CheckedContinuation<Int, Never>
    }

    private struct State {
        var free: Int
        var closed = false
        var waiters: [Waiter] = []
        /// Round-robin credit per queue.
        var credit: [Int]
    }

    let weights: [Int]
    private let state: Mutex<State>

    /// - Parameters:
    ///   - capacity: slots in all (the worker's concurrency).
    ///   - weights: one positive weight per queue, indexed like the queues.
    init(capacity: Int, weights: [Int]) {
        self.weights = weights
        state = Mutex(State(free: capacity, credit: Array(repeating: 0, count: weights.count)))
    }

    /// Waits for a free slot for `queue` and takes it, plus up to `wanted - 1` more when no other queue waits.
    /// Returns the number taken: at least 1, or 0 once ``close()`` was called.
    func acquire(queue: Int, wanted: Int) async -> Int {
        let first = await withCheckedContinuation { continuation in
            let granted: Int? = state.withLock { state in
                if state.closed { return 0 }
                guard state.free > 0, state.waiters.isEmpty else {
                    state.waiters.append(Waiter(queue: queue, continuation: continuation))
                    return nil
                }
                state.free -= 1
                return 1
            }
            if let granted { continuation.resume(returning: granted) }
        }
        guard first > 0, wanted > 1 else { return first }
        return first + state.withLock { state in
            guard state.waiters.isEmpty else { return 0 }
            let extra = min(wanted - 1, state.free)
            state.free -= extra
            return extra
        }
    }

    /// Gives `count` slots back, handing each to a waiting queue chosen by weight.
    func release(_ count: Int) {
        guard count > 0 else { return }
        let woken: [Waiter] = state.withLock { state in
            state.free += count
            var woken: [Waiter] = []
            while state.free > 0, !state.waiters.isEmpty, !state.closed {
                let index = Self.next(in: &state, weights: weights)
                woken.append(state.waiters.remove(at: index))
                state.free -= 1
            }
            return woken
        }
        for waiter in woken { waiter.continuation.resume(returning: 1) }
    }

    /// Wakes every waiting reader with 0 slots and refuses new ones: the worker is stopping.
    func close() {
        let woken: [Waiter] = state.withLock { state in
            state.closed = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in woken { waiter.continuation.resume(returning: 0) }
    }

    /// Smooth weighted round robin over the waiting queues: each gains its weight in credit, the richest is
    /// served and pays the total of the waiting weights. Returns the chosen waiter's index.
    private static func next(in state: inout State, weights: [Int]) -> Int {
        var total = 0
        var chosen = 0
        for (index, waiter) in state.waiters.enumerated() {
            state.credit[waiter.queue] += weights[waiter.queue]
            total += weights[waiter.queue]
            if state.credit[waiter.queue] > state.credit[state.waiters[chosen].queue] { chosen = index }
        }
        state.credit[state.waiters[chosen].queue] -= total
        return chosen
    }
}
