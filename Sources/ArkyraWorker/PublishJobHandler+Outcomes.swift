import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// What an attempt ends in: published, back on the schedule, looked up later, failed or unconfirmed.
extension PublishJobHandler {
    /// One claimed attempt at a post, with what its outcome needs.
    struct Attempt {
        var post: Post
        var job: PublishJob
        var requestID: String?
        /// This worker, the post's lease holder.
        var consumer: String
        /// Whether this attempt took over one whose outcome is unknown (the platform may have the post).
        var tookOver: Bool
        /// How many times the platform rate-limited this post before, and when it first did.
        var rateLimitHits: Int
        var rateLimitedSince: Date?
        /// How many times this post was retried because its platform was unavailable (kept on the post, so a
        /// job the reconciler re-creates still counts them).
        var unavailableRetries: Int
        /// The channel's platform, once the channel is known (a label of the post counters).
        var platform = "unknown"
        var logger: Logger
    }

    func handle(_ error: ProviderError, _ attempt: Attempt, provider: any Provider) async throws {
        let retriesLeft = attempt.unavailableRetries + 1 < unavailableRetry.maxAttempts
        switch error {
        case .rateLimited(let retryAt, let message):
            let now = Date()
            let post = attempt.post
            switch rateLimitWait.decide(platformReset: retryAt, window: provider.rateLimitWindow, hits: attempt.rateLimitHits,
                                        since: attempt.rateLimitedSince ?? now, now: now) {
            case .waitUntil(let when):
                attempt.logger.notice("rate limited; rescheduled", metadata: ["retry_at": "\(ISO8601Timestamp.format(when))", "hits": "\(attempt.rateLimitHits + 1)"])
                try await posts.recordRateLimit(postID: post.id, attempt: post.attempt, integrationID: post.integrationID, until: when, client: database)
                try await reschedule(attempt, counting: false, at: when, note: "rate limited: \(message)")
            case .giveUp(let reason):
                try await settle(attempt, attempt.tookOver ? .unconfirmed : .failed, "\(reason) (the platform said: \(message))")
            }
        case .unavailable(let message) where retriesLeft:
            let delay = unavailableRetry.delay(afterAttempt: attempt.unavailableRetries)
            attempt.logger.warning("platform unavailable; will retry", metadata: ["attempt": "\(attempt.unavailableRetries + 1)", "error": "\(message)"])
            try await reschedule(attempt, counting: true, at: Date().addingTimeInterval(TimeInterval(delay.milliseconds) / 1000), note: message)
        case .unavailable(let message):
            try await settle(attempt, attempt.tookOver ? .unconfirmed : .failed, "the platform stayed unreachable: \(message)")
        case .invalidCredentials(let message), .tokenExpired(let message):
            // The platform refused the token and, where tokens can be refreshed, the refresh too: the channel
            // waits for a person to reconnect it.
            let state: PostState = attempt.tookOver ? .unconfirmed : .failed
            try await settle(attempt, state, "the platform refused the channel's token: \(message); reconnect the channel") { connection in
                try await integrations.markRefreshNeeded(id: attempt.post.integrationID, on: connection)
                try await notifications.create(
                    organizationID: attempt.post.organizationID, postID: nil, kind: "integration.refresh_needed",
                    message: "A channel's token was refused (\(message)); connect the account again to keep publishing.", on: connection
                )
            }
        case .rejected(_, let message):
            // Refused outright: this request created nothing (a takeover looked first, or resent idempotently).
            try await settle(attempt, .failed, message)
        case .outcomeUnknown(let message) where (provider.findsPublishedPosts || provider.supportsIdempotencyKeys) && retriesLeft:
            // Held and taken over shortly by this worker's own job: the takeover looks the post up, or resends it
            // with the same idempotency key (within the platform's window), which answers the post made first.
            attempt.logger.warning("the platform may have the post; settling it shortly", metadata: ["error": "\(message)"])
            var unknown = attempt
            unknown.tookOver = true
            try await reschedule(unknown, counting: true, at: Date().addingTimeInterval(Self.lookupDelay), note: message)
        case .outcomeUnknown(let message):
            try await settle(attempt, .unconfirmed, "the platform may have published this post; please check: \(message)")
        }
    }

    /// Tries again at `date`. A fresh attempt goes back on the schedule. One that may have reached the
    /// platform stays `publishing` under this worker, and its job is scheduled as a takeover of this worker's
    /// own attempt, so the next run first looks for the post (or resends with the same idempotency key)
    /// instead of sending it blindly.
    func reschedule(_ attempt: Attempt, counting: Bool, at date: Date, note: String) async throws {
        let post = attempt.post
        var next = attempt.job
        next.attempt = attempt.unavailableRetries + (counting ? 1 : 0)
        var job = next.job(requestID: attempt.requestID)
        if attempt.tookOver {
            job.staleOwner = attempt.consumer
            if counting { try await posts.countUnavailableRetry(id: post.id, attempt: post.attempt, client: database) }
        } else {
            try await posts.returnToSchedule(id: post.id, attempt: post.attempt, error: note, countingRetry: counting, client: database)
        }
        try await queue.schedule(job, at: date)
        if !attempt.tookOver {
            await announce(PostEvent(type: "post.rescheduled", organizationID: post.organizationID, postID: post.id, state: .scheduled, message: note),
                           logger: attempt.logger)
        }
    }

    /// Keeps the container a platform is processing and comes back at `date` for the next step. The post
    /// stays `publishing` under this worker and its job is a takeover of this worker's own attempt, so any
    /// worker continues it (with the same container) if this one stops meanwhile.
    func awaitProcessing(_ attempt: Attempt, container: String, at date: Date) async throws {
        let post = attempt.post
        try await posts.recordContainer(id: post.id, attempt: post.attempt, container: container, client: database)
        var job = attempt.job.job(requestID: attempt.requestID)
        job.staleOwner = attempt.consumer
        try await queue.schedule(job, at: date)
        attempt.logger.info("the platform is processing the post; checking again later", metadata: ["container": "\(container)", "check_at": "\(ISO8601Timestamp.format(date))"])
    }

    /// Stores the platform's id and URL and, atomically with it, releases the next item of its thread and
    /// creates the next occurrence of a recurring post. Their jobs are scheduled after the commit; if Redis
    /// refuses, the reconciler re-creates them from the database.
    func recordPublished(_ attempt: Attempt, _ published: PublishedPost) async throws {
        let post = attempt.post
        let logger = attempt.logger
        var following: [PostRepository.ReleasedItem] = []
        if post.recurrence == nil {
            // The common case in one statement: the post and the release of its thread's next item.
            let outcome = try await posts.markPublishedReleasingNext(
                id: post.id, attempt: post.attempt, platformPostID: published.platformID, platformURL: published.url, client: database
            )
            guard outcome.published else {
                return logger.warning("published, but a newer attempt owns the post now; its outcome stands")
            }
            following = outcome.released.map { [$0] } ?? []
        } else {
            guard let recorded = try await recordPublishedRecurring(attempt, published) else { return }
            following = recorded
        }
        metrics.postSettled(platform: attempt.platform, state: .published)
        await announce(PostEvent(type: "post.published", organizationID: post.organizationID, postID: post.id, state: .published, platformURL: published.url), logger: logger)
        for next in following {
            do {
                try await queue.schedule(PublishJob(postID: next.id, organizationID: next.organizationID).job(requestID: attempt.requestID), at: next.publishAt)
            } catch {
                logger.warning("following post stored but not scheduled; the reconciler will schedule it", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Records a recurring post's publish, the release of its thread's next item and its next occurrence in
    /// one transaction (the same statement as the common case, on the transaction's connection); returns the
    /// posts to schedule, or nil when a newer attempt owns the post.
    private func recordPublishedRecurring(_ attempt: Attempt, _ published: PublishedPost) async throws -> [PostRepository.ReleasedItem]? {
        let post = attempt.post
        return try await database.inTransaction(logger: attempt.logger) { connection -> [PostRepository.ReleasedItem]? in
            let outcome = try await posts.markPublishedReleasingNext(
                id: post.id, attempt: post.attempt, platformPostID: published.platformID, platformURL: published.url, client: database
            )
            guard outcome.published else {
                attempt.logger.warning("published, but a newer attempt owns the post now; its outcome stands")
                return nil
            }
            var following = outcome.released.map { [$0] } ?? []
            if post.parentID == nil, let recurrence = post.recurrence, let publishAt = post.publishAt, let zone = TimeZone(identifier: post.timeZone),
               let nextAt = recurrence.next(after: publishAt, in: zone) {
                let next = try await posts.createGroup(
                    organizationID: post.organizationID, authorID: nil, posts: [.init(integrationID: post.integrationID, content: post.content)],
                    state: .scheduled, publishAt: nextAt, timeZone: post.timeZone, recurrence: recurrence, on: connection
                )
                following += next.map { PostRepository.ReleasedItem(id: $0.id, organizationID: $0.organizationID, publishAt: nextAt) }
            }
            return following
        }
    }

    /// Ends the attempt as failed or unconfirmed, with an in-app notification in the same transaction and an
    /// event for the browsers after it.
    func settle(_ attempt: Attempt, _ state: PostState, _ message: String,
                alsoInTransaction: (PostgresConnection) async throws -> Void = { _ in }) async throws {
        let post = attempt.post
        attempt.logger.warning("publish did not succeed", metadata: ["state": "\(state.rawValue)", "error": "\(message)"])
        let recorded = try await database.inTransaction(logger: attempt.logger) { connection in
            guard try await posts.markFinished(id: post.id, attempt: post.attempt, state: state, error: message, on: connection) else { return false }
            try await alsoInTransaction(connection)
            try await posts.failWaitingItems(below: post.id, reason: "an earlier item of this thread is \(state.rawValue)", on: connection)
            try await notifications.create(organizationID: post.organizationID, postID: post.id, kind: "post.\(state.rawValue)", message: message, on: connection)
            return true
        }
        if recorded {
            metrics.postSettled(platform: attempt.platform, state: state)
            await announce(PostEvent(type: "post.\(state.rawValue)", organizationID: post.organizationID, postID: post.id, state: state, message: message),
                           logger: attempt.logger)
        }
    }

    /// Publishes an event; the database already holds the truth, so a failure here is only logged.
    func announce(_ event: PostEvent, logger: Logger) async {
        do {
            try await events.publish(event)
        } catch {
            logger.warning("could not announce a post event", metadata: ["event": "\(event.type)", "error": "\(error)"])
        }
    }
}
