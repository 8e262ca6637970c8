import ArkyraCore
import Foundation
import Logging

/// Takes a published post down from its platform, as a person asked through the API, and records the outcome
/// on the post (`platform_removal`) with an event for the browsers. A platform that cannot be reached or says
/// "too many requests" is asked again later (at its reset when it names one); an expired token is refreshed
/// once; a refusal ends the request as failed, in the platform's words.
package struct UnpublishJobHandler: JobHandler {
    package let jobType = UnpublishJob.type
    let database: Database
    let posts: PostRepository
    let integrations: IntegrationRepository
    let providers: ProviderRegistry
    let queue: JobQueue
    let events: EventPublisher
    let credentials: ChannelCredentials
    let logger: Logger
    /// Tries while the platform stays unreachable or rate limited, and the waits between them.
    let retry = RetryPolicy(maxAttempts: 8, maxElapsed: .seconds(6 * 3600), baseDelay: .seconds(5), maxDelay: .seconds(1800))

    package init(database: Database, providers: ProviderRegistry, cipher: TokenCipher, queue: JobQueue,
                 metrics: WorkerMetrics, logger: Logger) {
        self.database = database
        self.posts = PostRepository(logger: logger)
        self.integrations = IntegrationRepository(logger: logger)
        self.providers = providers
        self.queue = queue
        self.events = EventPublisher(redis: queue.redis)
        self.credentials = ChannelCredentials(database: database, integrations: integrations, secrets: ChannelSecrets(cipher: cipher), metrics: metrics, logger: logger)
        self.logger = logger
    }

    package func handle(_ job: Job, context: JobContext) async throws {
        guard let target = UnpublishJob(job) else { throw PermanentJobError("unpublish job without a valid post id") }
        var logger = logger
        logger[metadataKey: "post_id"] = "\(target.postID)"
        if let requestID = job.requestID { logger[metadataKey: "request_id"] = "\(requestID)" }
        guard let post = try await posts.find(id: target.postID, organizationID: target.organizationID, client: database),
              post.platformRemoval?.state == .requested
        else {
            logger.info("no take-down is waiting for this post; nothing to do")
            return
        }
        guard let platformID = post.platformPostID else {
            return try await finish(post, removed: false, "the post has no id on its platform", logger: logger)
        }
        guard let channel = try await integrations.withCredentials(id: post.integrationID, organizationID: post.organizationID, client: database) else {
            return try await finish(post, removed: false, "the channel was removed; delete the post on the platform itself", logger: logger)
        }
        guard let provider = providers.provider(for: channel.integration.provider), provider.deletesPosts else {
            return try await finish(post, removed: false, "\(channel.integration.provider) posts cannot be deleted through its API", logger: logger)
        }
        do {
            var request = DeleteRequest(
                credentials: try await credentials.usable(channel.integration, stored: channel.credentials, provider: provider),
                platformID: platformID, accountID: channel.integration.externalID
            )
            do {
                try await provider.delete(request)
            } catch ProviderError.tokenExpired {
                request.credentials = try await credentials.refresh(channel.integration, replacing: channel.credentials, provider: provider)
                try await provider.delete(request)
            }
            try await finish(post, removed: true, nil, logger: logger)
        } catch let error as ProviderError {
            switch error {
            case .rateLimited(let retryAt, let message):
                try await again(job, at: retryAt, post: post, because: "rate limited: \(message)", logger: logger)
            case .unavailable(let message), .outcomeUnknown(let message):
                try await again(job, at: nil, post: post, because: message, logger: logger)
            case .invalidCredentials(let message), .tokenExpired(let message):
                try await finish(post, removed: false, "the platform refused the channel's token: \(message); reconnect the channel and ask again", logger: logger)
            case .rejected(_, let message):
                try await finish(post, removed: false, "the platform refused: \(message)", logger: logger)
            }
        }
    }

    /// Schedules the next try, at the platform's reset or after a backoff; past the last try, the request fails.
    private func again(_ job: Job, at reset: Date?, post: Post, because message: String, logger: Logger) async throws {
        let first = job.firstAttemptAt ?? Date()
        guard let backoff = retry.retryTime(afterAttempt: job.attempt, firstAttemptAt: first) else {
            return try await finish(post, removed: false, "the platform stayed unavailable: \(message)", logger: logger)
        }
        var next = job
        next.attempt += 1
        next.firstAttemptAt = first
        next.errors = Array((job.errors + [message]).suffix(5))
        let when = max(backoff, reset ?? backoff)
        logger.notice("taking the post down must wait", metadata: ["retry_at": "\(ISO8601Timestamp.format(when))", "error": "\(message)"])
        try await queue.schedule(next, at: when)
    }

    private func finish(_ post: Post, removed: Bool, _ error: String?, logger: Logger) async throws {
        guard try await posts.recordRemoval(id: post.id, removed: removed, error: error, client: database) else { return }
        if removed {
            logger.info("the post was taken down from its platform")
        } else {
            logger.warning("the post could not be taken down", metadata: ["error": "\(error ?? "")"])
        }
        let event = PostEvent(type: removed ? "post.removed" : "post.removal_failed", organizationID: post.organizationID, postID: post.id,
                              state: post.state, message: error, platformURL: post.platformURL)
        do {
            try await events.publish(event)
        } catch {
            logger.warning("could not announce a post event", metadata: ["event": "\(event.type)", "error": "\(error)"])
        }
    }
}
