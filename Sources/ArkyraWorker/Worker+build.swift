import ArkyraCore
import Hummingbird
import Logging
import PostgresNIO
import Prometheus

/// Builds `arkyra-worker`: the admin server plus the database and Redis clients, the delayed-job promoter and
/// the publish queue consumer, in one service group.
public func buildWorker(
    configuration: WorkerConfiguration,
    metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    logger: Logger
) -> some ApplicationProtocol {
    let service = configuration.service
    let platformClient = PlatformHTTPClient(connectionsPerHost: configuration.concurrency)
    let http = PlatformHTTP(client: platformClient.client, timeout: service.outbound.timeout)
    let providers = ProviderRegistry([MastodonProvider(http: http)])
    let cipher = TokenCipher(keys: configuration.security.encryptionKeys)
    return AdminRoutes.serviceApplication(configuration: service, metrics: metrics, logger: logger) { database, redis in
        let queue = JobQueue(name: .publish, redis: redis)
        let publish = PublishJobHandler(database: database, providers: providers, cipher: cipher, queue: queue, logger: logger)
        return [
            platformClient,
            DelayedJobPromoter(queue: queue, redis: redis, logger: logger),
            QueueMetrics(queue: queue, registry: metrics, logger: logger),
            QueueConsumer(
                queue: queue, redis: redis, handlers: [publish], deadLetters: DeadJobRepository(client: database, logger: logger),
                consumerName: configuration.consumerName, concurrency: configuration.concurrency, leases: configuration.leases, logger: logger
            ),
        ]
    }
}
