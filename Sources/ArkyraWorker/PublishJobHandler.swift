import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// Publishes one post to its channel and records what happened. PostgreSQL decides who publishes: the claim
/// moves a `scheduled` post to `publishing` under this worker with a new attempt number, and every later
/// write is fenced by that number, so a job delivered twice publishes once and a stale worker cannot
/// overwrite a newer attempt.
public struct PublishJobHandler: JobHandler {
    public let jobType = PublishJob.type
    let database: PostgresClient
    let posts: PostRepository
    let integrations: IntegrationRepository
    let providers: ProviderRegistry
    let cipher: TokenCipher
    let queue: JobQueue
    let events: EventPublisher
    let notifications: NotificationRepository
    let logger: Logger
    /// Attempts after which a platform that stays unreachable fails the post.
    let maximumUnavailableAttempts = 5
    /// How long platforms keep idempotency keys (Mastodon: one hour), with a margin.
    static let idempotencyWindow: TimeInterval = 50 * 60

    public init(database: PostgresClient, providers: ProviderRegistry, cipher: TokenCipher, queue: JobQueue, logger: Logger) {
        self.database = database
        self.posts = PostRepository(logger: logger)
        self.integrations = IntegrationRepository(logger: logger)
        self.providers = providers
        self.cipher = cipher
        self.queue = queue
        self.events = EventPublisher(redis: queue.redis)
        self.notifications = NotificationRepository(logger: logger)
        self.logger = logger
    }

    public func handle(_ job: Job, context: JobContext) async throws {
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
        guard let (integration, sealedToken) = try await integrations.withToken(id: post.integrationID, organizationID: post.organizationID, client: database) else {
            return try await finish(post, .failed, "the channel was removed", logger: logger)
        }
        guard let provider = providers.provider(for: integration.provider) else {
            return try await finish(post, .failed, "ARKYRA cannot publish to \(integration.provider)", logger: logger)
        }
        if claim.tookOver {
            // The previous holder stopped after claiming: it may have sent the post. Only a platform that
            // honours idempotency keys, still within their window, can be asked again safely.
            guard provider.supportsIdempotencyKeys, Date().timeIntervalSince(post.updatedAt) < Self.idempotencyWindow else {
                return try await finish(post, .unconfirmed, "a worker stopped while publishing this post; please check whether it appeared on \(integration.provider)", logger: logger)
            }
            logger.notice("taking over a post from a stopped worker; resending with the same idempotency key")
        }
        guard integration.state == .connected else {
            return try await finish(post, .failed, "the channel needs to be reconnected", logger: logger)
        }
        let credentials = ProviderCredentials(
            accessToken: try cipher.open(sealedToken),
            instanceURL: integration.instanceURL.flatMap(URL.init(string:))
        )
        var replyTo: String?
        if let parentID = post.parentID {
            guard let parentPlatformID = try await posts.platformPostID(of: parentID, client: database) else {
                return try await finish(post, .failed, "the item before it in the thread was not published", logger: logger)
            }
            replyTo = parentPlatformID
        }
        do {
            let published = try await provider.publish(PublishRequest(
                credentials: credentials, content: post.content, idempotencyKey: post.id.uuidString, replyTo: replyTo
            ))
            try await recordPublished(post, published, requestID: job.requestID, logger: logger)
            logger.info("published", metadata: ["platform_post_id": "\(published.platformID)", "provider": "\(integration.provider)"])
        } catch let error as ProviderError {
            try await handle(error, post: post, job: target, requestID: job.requestID, provider: provider, logger: logger)
        }
    }

    private func handle(_ error: ProviderError, post: Post, job: PublishJob, requestID: String?, provider: any Provider, logger: Logger) async throws {
        switch error {
        case .rateLimited(let retryAt, let message):
            let when = max(retryAt ?? Date().addingTimeInterval(60), Date())
            logger.notice("rate limited; rescheduled", metadata: ["retry_at": "\(ISO8601Timestamp.format(when))"])
            try await reschedule(post, job: job, attempt: job.attempt, at: when, note: "rate limited: \(message)", requestID: requestID)
        case .unavailable(let message) where job.attempt + 1 < maximumUnavailableAttempts:
            let delay = RetryPolicy().delay(afterAttempt: job.attempt)
            logger.warning("platform unavailable; will retry", metadata: ["attempt": "\(job.attempt + 1)", "error": "\(message)"])
            try await reschedule(post, job: job, attempt: job.attempt + 1, at: Date().addingTimeInterval(TimeInterval(delay.milliseconds) / 1000),
                                 note: message, requestID: requestID)
        case .unavailable(let message):
            try await finish(post, .failed, "the platform stayed unreachable: \(message)", logger: logger)
        case .invalidCredentials(let message):
            // Mastodon's tokens do not expire and cannot be refreshed: a refused token was revoked, so the
            // channel waits for a person to reconnect it. (Refreshing comes with the first OAuth platform.)
            try await finish(post, .failed, "the platform refused the channel's token: \(message); reconnect the channel", logger: logger) { connection in
                try await integrations.markRefreshNeeded(id: post.integrationID, on: connection)
                try await notifications.create(
                    organizationID: post.organizationID, postID: nil, kind: "integration.refresh_needed",
                    message: "A channel's token was refused (\(message)); connect the account again to keep publishing.", on: connection
                )
            }
        case .rejected(_, let message):
            try await finish(post, .failed, message, logger: logger)
        case .outcomeUnknown(let message):
            try await finish(post, .unconfirmed, "the platform may have published this post; please check: \(message)", logger: logger)
        }
    }

    /// Stores the platform's id and URL and, in the same transaction, releases the next item of its thread and
    /// creates the next occurrence of a recurring post. Their jobs are scheduled after the commit; if Redis
    /// refuses, the reconciler re-creates them from the database.
    private func recordPublished(_ post: Post, _ published: PublishedPost, requestID: String?, logger: Logger) async throws {
        let following = try await database.inTransaction(logger: logger) { connection -> [Post] in
            guard try await posts.markPublished(id: post.id, attempt: post.attempt, platformPostID: published.platformID,
                                                platformURL: published.url, on: connection)
            else {
                logger.warning("published, but a newer attempt owns the post now; its outcome stands")
                return []
            }
            var following: [Post] = []
            if let nextItem = try await posts.releaseNextItem(after: post.id, on: connection) { following.append(nextItem) }
            if post.parentID == nil, let recurrence = post.recurrence, let publishAt = post.publishAt, let zone = TimeZone(identifier: post.timeZone),
               let nextAt = recurrence.next(after: publishAt, in: zone) {
                following += try await posts.createGroup(
                    organizationID: post.organizationID, authorID: nil, posts: [.init(integrationID: post.integrationID, content: post.content)],
                    state: .scheduled, publishAt: nextAt, timeZone: post.timeZone,
                    recurrence: recurrence, on: connection
                )
            }
            return following
        }
        await announce(PostEvent(type: "post.published", organizationID: post.organizationID, postID: post.id, state: .published, platformURL: published.url), logger: logger)
        for next in following {
            guard let nextAt = next.publishAt else { continue }
            do {
                try await queue.schedule(PublishJob(postID: next.id, organizationID: next.organizationID).job(requestID: requestID), at: nextAt)
            } catch {
                logger.warning("following post stored but not scheduled; the reconciler will schedule it", metadata: ["error": "\(error)"])
            }
        }
    }

    private func reschedule(_ post: Post, job: PublishJob, attempt: Int, at date: Date, note: String, requestID: String?) async throws {
        try await posts.returnToSchedule(id: post.id, attempt: post.attempt, error: note, client: database)
        var next = job
        next.attempt = attempt
        try await queue.schedule(next.job(requestID: requestID), at: date)
        await announce(PostEvent(type: "post.rescheduled", organizationID: post.organizationID, postID: post.id, state: .scheduled, message: note), logger: logger)
    }

    /// Ends the attempt as failed or unconfirmed, with an in-app notification in the same transaction and an
    /// event for the browsers after it.
    private func finish(
        _ post: Post, _ state: PostState, _ message: String, logger: Logger,
        alsoInTransaction: (PostgresConnection) async throws -> Void = { _ in }
    ) async throws {
        logger.warning("publish did not succeed", metadata: ["state": "\(state.rawValue)", "error": "\(message)"])
        let recorded = try await database.inTransaction(logger: logger) { connection in
            guard try await posts.markFinished(id: post.id, attempt: post.attempt, state: state, error: message, on: connection) else { return false }
            try await alsoInTransaction(connection)
            try await posts.failWaitingItems(below: post.id, reason: "an earlier item of this thread is \(state.rawValue)", on: connection)
            try await notifications.create(organizationID: post.organizationID, postID: post.id, kind: "post.\(state.rawValue)", message: message, on: connection)
            return true
        }
        if recorded {
            await announce(PostEvent(type: "post.\(state.rawValue)", organizationID: post.organizationID, postID: post.id, state: state, message: message), logger: logger)
        }
    }

    /// Publishes an event; the database already holds the truth, so a failure here is only logged.
    private func announce(_ event: PostEvent, logger: Logger) async {
        do {
            try await events.publish(event)
        } catch {
            logger.warning("could not announce a post event", metadata: ["event": "\(event.type)", "error": "\(error)"])
        }
    }
}
