import Foundation

/// What every emulated platform shares: rate-limit windows, injected faults and every request received.
/// Each platform keeps its own accounts and posts (MastodonState, BlueskyState).
actor SandboxState {
    private var windows: [String: (start: Date, count: Int)] = [:]  // "bucket:account"
    private var faults: [Fault] = []
    private(set) var requests: [RecordedRequest] = []

    /// Counts a request in a fixed window; returns the limit state after counting it.
    func countRequest(bucket: String, accountID: String, limit: Int, window: TimeInterval, now: Date) -> (remaining: Int, reset: Date, exceeded: Bool) {
        let key = "\(bucket):\(accountID)"
        var current = windows[key] ?? (now, 0)
        if now.timeIntervalSince(current.start) >= window { current = (now, 0) }
        current.count += 1
        windows[key] = current
        return (max(0, limit - current.count), current.start.addingTimeInterval(window), current.count > limit)
    }

    func addFault(_ fault: Fault) { faults.append(fault) }

    /// Takes one use of the first fault for `platform` (and for a request path ending in the fault's `path`,
    /// when it names one), if any, once the requests it lets through first (`after`) have passed.
    func takeFault(platform: String, path: String) -> Fault? {
        guard let index = faults.firstIndex(where: { $0.platform == platform && $0.count > 0 && $0.path.map { path.hasSuffix($0) } ?? true }) else { return nil }
        if let after = faults[index].after, after > 0 {
            faults[index].after = after - 1
            return nil
        }
        faults[index].count -= 1
        let fault = faults[index]
        if faults[index].count == 0 { faults.remove(at: index) }
        return fault
    }

    func record(_ request: RecordedRequest) {
        requests.append(request)
        if requests.count > 100_000 { requests.removeFirst(requests.count - 100_000) }
    }

    func reset() {
        windows = [:]
        faults = []
        requests = []
    }
}
