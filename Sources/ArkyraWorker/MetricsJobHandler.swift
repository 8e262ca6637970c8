import ArkyraCore
import Foundation
import Logging

/// Reads a published post's counts from its platform and keeps them (`post_metrics`). A platform that cannot
/// be reached or says "too many requests" is asked again later (at its reset when it names one); an expired
/// token is refreshed once; a refusal is kept as the reason there are no fresh counts.
package struct MetricsJobHandler: JobHandler {
    package let jobType = MetricsJob.type
    let database: Database
    let posts: PostRepository
    let integrations: IntegrationRepository
    let metricsRepository: PostMetricsRepository
    let providers: ProviderRegistry
    let queue: JobQueue
    let credentials: ChannelCredentials
    let logger: Logger
    let retry = RetryPolicy(maxAttempts: 5, maxElapsed: .seconds(3600), baseDelay: .seconds(10), maxDelay: .seconds(900))

    package init(database: Database, providers: ProviderRegistry, cipher: TokenCipher, queue: JobQueue, metrics: WorkerMetrics, logger: Logger) {
        self.database = database
        self.posts = PostRepository(logger: logger)
        self.integrations = IntegrationRepository(logger: logger)
        self.metricsRepository = PostMetricsRepository(logger: logger)
        self.providers = providers
        self.queue = queue
        self.credentials = ChannelCredentials(database: database, integrations: integrations, secrets: ChannelSecrets(cipher: cipher), metrics: metrics, logger: logger)
        self.logger = logger
    }

    package func handle(_ job: Job, context: JobContext) async throws {
        guard let target = MetricsJob(job) else { throw PermanentJobError("metrics job without a valid post id") }
        var logger = logger
        logger[metadataKey: "post_id"] = "\(target.postID)"
        guard let post = try await posts.find(id: target.postID, organizationID: target.organizationID, client: database),
              post.state == .published, let platformID = post.platformPostID
        else {
            return logger.info("the post is not published; no counts to read")
        }
        let fail = { (message: String) in try await metricsRepository.storeFailure(message, postID: post.id, organizationID: post.organizationID, client: database) }
        guard let channel = try await integrations.withCredentials(id: post.integrationID, organizationID: post.organizationID, client: database) else {
            return try await fail("the channel was removed")
        }
        guard let provider = providers.provider(for: channel.integration.provider), provider.readsMetrics else {
            return try await fail("ARKYRA does not read \(channel.integration.provider)'s counts yet")
        }
        do {
            var request = MetricsRequest(
                credentials: try await credentials.usable(channel.integration, stored: channel.credentials, provider: provider),
                platformID: platformID, accountID: channel.integration.externalID
            )
            let counts: PostMetrics
            do {
                counts = try await provider.metrics(request)
            } catch ProviderError.tokenExpired {
                request.credentials = try await credentials.refresh(channel.integration, replacing: channel.credentials, provider: provider)
                counts = try await provider.metrics(request)
            }
            try await metricsRepository.store(counts, postID: post.id, organizationID: post.organizationID, client: database)
            logger.info("read the post's counts", metadata: ["counts": "\(counts.counts)"])
        } catch let error as ProviderError {
            switch error {
            case .rateLimited(let retryAt, let message):
                try await again(job, at: retryAt, because: "rate limited: \(message)", fail: fail)
            case .unavailable(let message), .outcomeUnknown(let message):
                try await again(job, at: nil, because: message, fail: fail)
            case .invalidCredentials(let message), .tokenExpired(let message):
                try await fail("the platform refused the channel's token: \(message); reconnect the channel")
            case .rejected(_, let message):
                try await fail(message)
            }
        }
    }

    /// Schedules the next try, at the platform's reset or after a backoff; past the last try, the failure is kept.
    private func again(_ job: Job, at reset: Date?, because message: String, fail: (String) async throws -> Void) async throws {
        let first = job.firstAttemptAt ?? Date()
        guard let backoff = retry.retryTime(afterAttempt: job.attempt, firstAttemptAt: first) else {
            return try await fail("the platform stayed unavailable: \(message)")
        }
        var next = job
        next.attempt += 1
        next.firstAttemptAt = first
        next.errors = Array((job.errors + [message]).suffix(5))
        try await queue.schedule(next, at: max(backoff, reset ?? backoff))
    }
}
