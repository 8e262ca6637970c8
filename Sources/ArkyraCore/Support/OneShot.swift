import Synchronization

/// A value that is set once and awaited once: the first `resolve` wins and later ones return `false`.
/// The waiter is resumed outside the lock.
final class OneShot<Value: Sendable>: Sendable {
    private enum State {
        case pending(CheckedContinuation<Value, any Error>?)
        case resolved(Result<Value, any Error>)
    }

    private let state = Mutex(State.pending(nil))

    /// Sets the value (or the error) when nothing was set before; `true` when this call set it.
    @discardableResult
    func resolve(_ result: Result<Value, any Error>) -> Bool {
        let outcome = state.withLock { state -> (won: Bool, waiter: CheckedContinuation<Value, any Error>?) in
            guard case .pending(let waiter) = state else { return (false, nil) }
            state = .resolved(result)
            return (true, waiter)
        }
        outcome.waiter?.resume(with: result)
        return outcome.won
    }

    /// Waits for the value; a cancelled waiter gets `CancellationError` unless a value came first.
    func value() async throws -> Value {
        try await withTaskCancellationHandler {
            try await valueIgnoringCancellation()
        } onCancel: {
            resolve(.failure(CancellationError()))
        }
    }

    /// Waits for the value even when the waiting task is cancelled.
    func valueIgnoringCancellation() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<Value, any Error>? in
                switch state {
                case .resolved(let result): return result
                case .pending: state = .pending(continuation); return nil
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
