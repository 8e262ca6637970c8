import ArkyraCore
import Foundation
import Logging
import Prometheus
import PostgresNIO

/// Publishes one post to its channel and records what happened. PostgreSQL decides who publishes: the claim
/// moves a `scheduled` post to `publishing` under this worker with a new attempt number, and every later
/// write is fenced by that number, so a job delivered twice publishes once and a stale worker cannot
/// overwrite a newer attempt.
package struct PublishJobHandler: JobHandler {
    package let jobType = PublishJob.type
    let database: Database
    let posts: PostRepository
    let integrations: IntegrationRepository
    let providers: ProviderRegistry
    let queue: JobQueue
    let events: EventPublisher
    let notifications: NotificationRepository
    let credentials: ChannelCredentials
    let metrics: WorkerMetrics
    let logger: Logger
    let media: MediaRepository
    /// Where the files posts carry are read from (nil: posts with files fail).
    let storage: (any MediaStorage)?
    /// How long posts wait after a platform's "too many requests", and when they give up.
    let rateLimitWait = RateLimitWait()
    /// Waits between tries while a platform stays unreachable, and the attempts after which the post fails.
    /// (The post counts these itself, so the queue's own retries do not apply to them.)
    let unavailableRetry = RetryPolicy(maxAttempts: 5)
    /// How long platforms keep idempotency keys (Mastodon: one hour), with a margin.
    static let idempotencyWindow: TimeInterval = 50 * 60
    /// After an unknown outcome, how long to wait before looking for the post on the platform (it may still
    /// be finishing the request).
    static let lookupDelay: TimeInterval = 30
    /// How long a platform that publishes in steps may process a post's media before the post fails.
    static let processingDeadline: TimeInterval = 3600

    package init(database: Database, providers: ProviderRegistry, cipher: TokenCipher, queue: JobQueue, storage: (any MediaStorage)? = nil,
                 metrics: WorkerMetrics = WorkerMetrics(registry: PrometheusCollectorRegistry()), logger: Logger) {
        self.database = database
        self.media = MediaRepository(logger: logger)
        self.storage = storage
        self.posts = PostRepository(logger: logger)
        self.integrations = IntegrationRepository(logger: logger)
        self.providers = providers
        self.queue = queue
        self.events = EventPublisher(redis: queue.redis)
        self.notifications = NotificationRepository(logger: logger)
        self.credentials = ChannelCredentials(database: database, integrations: integrations, secrets: ChannelSecrets(cipher: cipher), metrics: metrics, logger: logger)
        self.metrics = metrics
        self.logger = logger
    }

    package func handle(_ job: Job, context: JobContext) async throws {
        var logger = logger
        if let requestID = job.requestID { logger[metadataKey: "request_id"] = "\(requestID)" }
        guard let target = PublishJob(job) else {
            throw PermanentJobError("publish job without a valid post id")
        }
        logger[metadataKey: "post_id"] = "\(target.postID)"
        guard let claim = try await posts.claimForPublishing(id: target.postID, owner: context.consumer, staleOwner: context.staleOwner, client: database),
              claim.post.organizationID == target.organizationID
        else {
            logger.info("post is not waiting to be published; nothing to do")
            return
        }
        let post = claim.post
        var attempt = Attempt(
            post: post, job: target, requestID: job.requestID, consumer: context.consumer, tookOver: claim.tookOver,
            rateLimitHits: claim.rateLimitHits, rateLimitedSince: claim.rateLimitedSince,
            unavailableRetries: claim.unavailableRetries, logger: logger
        )
        guard let channel = claim.channel else {
            return try await settle(attempt, .failed, "the channel was removed")
        }
        let integration = channel.integration, stored = channel.credentials
        attempt.platform = integration.provider
        guard let provider = providers.provider(for: integration.provider) else {
            return try await settle(attempt, .failed, "ARKYRA cannot publish to \(integration.provider)")
        }
        guard integration.state == .connected else {
            let message = integration.state == .disabled ? "the channel is disabled; enable it and schedule the post again" : "the channel needs to be reconnected"
            return try await settle(attempt, claim.tookOver ? .unconfirmed : .failed, claim.tookOver ? "\(message); check whether the post appeared" : message)
        }
        if let until = channel.rateLimitedUntil, until > Date() {
            // Another post of this channel was told to wait: this one waits for the same reset without asking,
            // spread over a few seconds so that the channel's posts do not all ask again at the same instant.
            let spread = Double.random(in: 0...min(30, provider.rateLimitWindow / 10))
            logger.info("the channel is rate limited; waiting for its reset", metadata: ["retry_at": "\(ISO8601Timestamp.format(until))"])
            return try await reschedule(attempt, counting: false, at: until.addingTimeInterval(spread), note: "waiting for the channel's rate limit to lift")
        }
        var request: PublishRequest
        do {
            request = PublishRequest(
                credentials: try await credentials.usable(integration, stored: stored, provider: provider), content: post.content,
                idempotencyKey: post.id.uuidString, replyTo: nil, createdAt: post.publishAt ?? post.createdAt,
                accountID: integration.externalID
            )
            let files = claim.hasMedia ? try await media.files(ofPost: post.id, client: database) : []
            let derived = files.isEmpty ? [:] : try await media.variants(of: files.map(\.id), client: database)
            request.media = files.map { file in
                var item = PublishMedia(storageKey: file.storageKey, contentType: file.contentType, kind: file.kind, sizeBytes: file.sizeBytes, fileName: file.name,
                                        alt: file.alt, width: file.width, height: file.height)
                item.derived = (derived[file.id] ?? []).map { PublishMedia.Derived(storageKey: $0.storageKey, contentType: $0.contentType) }
                return item
            }
            request.storage = storage
            if let parentID = post.parentID {
                guard let parentPlatformID = try await posts.platformPostID(of: parentID, client: database) else {
                    return try await settle(attempt, .failed, "the item before it in the thread was not published")
                }
                request.replyTo = parentPlatformID
            }
            request.container = claim.container
            if let container = claim.container, Date().timeIntervalSince(container.since) > Self.processingDeadline {
                return try await settle(attempt, .failed, "\(provider.displayName) was still processing the post's media after an hour; schedule it again")
            }
            if claim.tookOver, claim.container == nil {
                // The previous holder stopped after claiming, or the outcome of its request was unknown: the
                // platform may have the post. (A post with a container is settled by the container's status.)
                if provider.findsPublishedPosts {
                    if let found = try await provider.findPublished(request) {
                        logger.notice("the post is on the platform already; recording it")
                        return try await recordPublished(attempt, found)
                    }
                    logger.notice("the post is not on the platform; publishing it")
                } else if provider.supportsIdempotencyKeys, Date().timeIntervalSince(claim.previouslyUpdatedAt) < Self.idempotencyWindow {
                    logger.notice("taking over a post from a stopped worker; resending with the same idempotency key")
                } else {
                    return try await settle(attempt, .unconfirmed, "a worker stopped while publishing this post; please check whether it appeared on \(integration.provider)")
                }
            }
            switch try await publishRefreshingOnce(request, integration: integration, stored: stored, provider: provider) {
            case .published(let published):
                try await recordPublished(attempt, published)
                logger.info("published", metadata: ["platform_post_id": "\(published.platformID)", "provider": "\(integration.provider)"])
            case .processing(let container, let checkAfter):
                try await awaitProcessing(attempt, container: container, at: Date().addingTimeInterval(checkAfter))
            }
        } catch let error as ProviderError {
            try await handle(error, attempt, provider: provider)
        }
    }

    /// Publishes (one step of it); when the platform says the access token expired, refreshes it once and
    /// tries once more.
    private func publishRefreshingOnce(_ request: PublishRequest, integration: Integration, stored: IntegrationRepository.StoredCredentials,
                                       provider: any Provider) async throws -> PublishStep {
        do {
            return try await provider.publishStep(request)
        } catch ProviderError.tokenExpired(let message) {
            logger.info("the platform says the token expired; refreshing it", metadata: ["integration_id": "\(integration.id)", "error": "\(message)"])
            var retry = request
            retry.credentials = try await credentials.refresh(integration, replacing: stored, provider: provider)
            do {
                return try await provider.publishStep(retry)
            } catch ProviderError.tokenExpired(let message) {
                throw ProviderError.invalidCredentials(message: "the token still expired right after a refresh: \(message)")
            }
        }
    }

}
