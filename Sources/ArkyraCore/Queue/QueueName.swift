/// The queues ARKYRA runs, each a Redis stream with a consumer group.
package enum QueueName: String, Sendable, CaseIterable {
    case publish
    case notification
    case media
    case webhook
    case ai

    /// The queue's share of a worker's capacity when queues compete: high priority (publish, notification)
    /// 4, medium (media, webhook) 2, low (ai) 1.
    package var weight: Int {
        switch self {
        case .publish, .notification: 4
        case .media, .webhook: 2
        case .ai: 1
        }
    }
}

/// The Redis keys of one queue. They share the hash tag `{queue}` so they live on one Redis Cluster slot,
/// which the Lua scripts that touch several of them need.
package struct QueueKeys: Sendable, Equatable {
    package let delayed: String
    package let payloads: String
    package let stream: String
    /// Pub/sub channel on which scheduling announces a new earliest job.
    package let wakeChannel: String
    package let group = "workers"

    package init(prefix: String, queue: QueueName) {
        let base = "\(prefix):{\(queue.rawValue)}"
        delayed = "\(base):delayed"
        payloads = "\(base):payloads"
        stream = "\(base):stream"
        wakeChannel = "\(base):wake"
    }
}
