import ArkyraCore
import Foundation

/// A published post's counts on its platform, as the worker last read them (`post_metrics`).
extension PostService {
    /// Counts older than this are read again from the platform when someone looks at them.
    static let metricsFreshFor: TimeInterval = 600

    /// What is known of a post's reach: the counts (empty until first read), when they were read, why the
    /// last read failed, and whether a worker is reading them again now.
    struct MetricsAnswer: Encodable {
        var counts: [String: Int]
        var fetchedAt: Date?
        var error: String?
        var refreshing: Bool
    }

    func metrics(organizationID: UUID, postID rawID: String, requestID: String?) async throws -> MetricsAnswer {
        let post = try await find(organizationID: organizationID, postID: rawID)
        guard post.state == .published, post.platformPostID != nil else {
            throw APIError(.conflict, "post_not_published", "this post is \(post.state.rawValue); only a published post has counts on its platform")
        }
        let channel = try await integrations.find(ids: [post.integrationID], organizationID: organizationID, client: database).first
        guard let provider = channel.flatMap({ providers.provider(for: $0.provider) }), provider.readsMetrics else {
            let name = channel.flatMap { providers.provider(for: $0.provider)?.displayName } ?? "this channel's platform"
            throw APIError(.unprocessableContent, "metrics_unsupported", "ARKYRA does not read \(name)'s counts yet")
        }
        let stored = try await PostMetricsRepository(logger: logger).find(postID: post.id, organizationID: organizationID, client: database)
        let stale = stored.map { Date().timeIntervalSince($0.updatedAt) > Self.metricsFreshFor } ?? true
        if stale {
            // One job per post: asking again while it waits changes nothing.
            try await queue.schedule(MetricsJob(postID: post.id, organizationID: organizationID).job(requestID: requestID), at: Date())
        }
        return MetricsAnswer(counts: stored?.metrics.counts ?? [:], fetchedAt: stored?.fetchedAt, error: stored?.error, refreshing: stale)
    }
}
