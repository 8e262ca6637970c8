/// The queues ARKYRA runs, each a Redis stream with a consumer group.
public enum QueueName: String, Sendable, CaseIterable {
    case publish
    case notification
    case media
    case webhook
    case ai

    /// The queue's share of a worker's capacity when queues compete: high priority (publish, notification)
    /// 4, medium (media, webhook) 2, low (ai) 1.
    public var weight: Int {
        switch self {
        case .publish, .notification: 4
        case .media, .webhook: 2
        case .ai: 1
        }
    }
}

/// The Redis keys of one queue. They share the hash tag `{queue}` so they live on one Redis Cluster slot,
/// which the Lua scripts that touch several of them need.
public struct QueueKeys: Sendable, Equatable {
    public let delayed: String
    public let payloads: String
    public let stream: String
    /// Pub/sub channel on which scheduling announces a new earliest job.
    public let wakeChannel: String
    public let group = "workers"

    public init(prefix: String, queue: QueueName) {
        let base = "\(prefix):{\(queue.rawValue)}"
        delayed = "\(base):delayed"
        payloads = "\(base):payloads"
        stream = "\(base):stream"
        wakeChannel = "\(base):wake"
    }
}
