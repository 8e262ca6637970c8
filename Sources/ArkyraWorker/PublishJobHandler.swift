import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// Publishes one post to its channel and records what happened. PostgreSQL decides: only a post that is
/// still `scheduled` is claimed, so a job delivered twice publishes once.
public struct PublishJobHandler: JobHandler {
    public let jobType = PublishJob.type
    let database: PostgresClient
    let posts: PostRepository
    let integrations: IntegrationRepository
    let providers: ProviderRegistry
    let cipher: TokenCipher
    let queue: JobQueue
    let logger: Logger
    /// Attempts after which a platform that stays unreachable fails the post.
    let maximumAttempts = 5

    public init(database: PostgresClient, providers: ProviderRegistry, cipher: TokenCipher, queue: JobQueue, logger: Logger) {
        self.database = database
        self.posts = PostRepository(logger: logger)
        self.integrations = IntegrationRepository(logger: logger)
        self.providers = providers
        self.cipher = cipher
        self.queue = queue
        self.logger = logger
    }

    public func handle(_ job: Job) async throws {
        var logger = logger
        if let requestID = job.requestID { logger[metadataKey: "request_id"] = "\(requestID)" }
        guard let target = PublishJob(job) else {
            logger.error("publish job without a valid post id; dropped", metadata: ["job_id": "\(job.id)"])
            return
        }
        logger[metadataKey: "post_id"] = "\(target.postID)"
        guard let post = try await posts.claimForPublishing(id: target.postID, client: database), post.organizationID == target.organizationID else {
            logger.info("post is no longer scheduled; nothing to publish")
            return
        }
        guard let (integration, sealedToken) = try await integrations.withToken(id: post.integrationID, organizationID: post.organizationID, client: database) else {
            return try await fail(post, state: .failed, "the channel was removed", logger: logger)
        }
        guard integration.state == .connected else {
            return try await fail(post, state: .failed, "the channel needs to be reconnected", logger: logger)
        }
        guard let provider = providers.provider(for: integration.provider) else {
            return try await fail(post, state: .failed, "ARKYRA cannot publish to \(integration.provider)", logger: logger)
        }
        let credentials = ProviderCredentials(
            accessToken: try cipher.open(sealedToken),
            instanceURL: integration.instanceURL.flatMap(URL.init(string:))
        )
        do {
            let published = try await provider.publish(PublishRequest(credentials: credentials, content: post.content, idempotencyKey: post.id.uuidString))
            try await posts.markPublished(id: post.id, platformPostID: published.platformID, platformURL: published.url, client: database)
            logger.info("published", metadata: ["platform_post_id": "\(published.platformID)", "provider": "\(integration.provider)"])
        } catch let error as ProviderError {
            try await handle(error, post: post, job: target, requestID: job.requestID, logger: logger)
        }
    }

    private func handle(_ error: ProviderError, post: Post, job: PublishJob, requestID: String?, logger: Logger) async throws {
        switch error {
        case .rateLimited(let retryAt, let message):
            let when = max(retryAt ?? Date().addingTimeInterval(60), Date())
            logger.notice("rate limited; rescheduled", metadata: ["retry_at": "\(ISO8601Timestamp.format(when))"])
            try await reschedule(post, job: job, attempt: job.attempt, at: when, note: "rate limited: \(message)", requestID: requestID)
        case .unavailable(let message) where job.attempt + 1 < maximumAttempts:
            let delay = Self.backoff(attempt: job.attempt)
            logger.warning("platform unavailable; will retry", metadata: ["attempt": "\(job.attempt + 1)", "error": "\(message)"])
            try await reschedule(post, job: job, attempt: job.attempt + 1, at: Date().addingTimeInterval(delay), note: message, requestID: requestID)
        case .unavailable(let message):
            try await fail(post, state: .failed, "the platform stayed unreachable: \(message)", logger: logger)
        case .invalidCredentials(let message):
            try await fail(post, state: .failed, "the platform refused the channel's token: \(message)", logger: logger)
        case .rejected(_, let message):
            try await fail(post, state: .failed, message, logger: logger)
        case .outcomeUnknown(let message):
            try await fail(post, state: .unconfirmed, "the platform may have published this post; please check: \(message)", logger: logger)
        }
    }

    private func reschedule(_ post: Post, job: PublishJob, attempt: Int, at date: Date, note: String, requestID: String?) async throws {
        try await posts.returnToSchedule(id: post.id, error: note, client: database)
        var next = job
        next.attempt = attempt
        try await queue.schedule(next.job(requestID: requestID), at: date)
    }

    private func fail(_ post: Post, state: PostState, _ message: String, logger: Logger) async throws {
        logger.warning("publish did not succeed", metadata: ["state": "\(state.rawValue)", "error": "\(message)"])
        try await posts.markFinished(id: post.id, state: state, error: message, client: database)
    }

    /// 2 s, 4 s, 8 s, ... with ±20 % jitter.
    static func backoff(attempt: Int) -> TimeInterval {
        let base = 2.0 * pow(2.0, Double(attempt))
        return base * Double.random(in: 0.8...1.2)
    }
}
