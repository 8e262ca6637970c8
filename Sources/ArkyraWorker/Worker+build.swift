import ArkyraCore
import ArkyraTemporal
import Hummingbird
import Logging
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// Builds `arkyra-worker`: the admin server plus the database and Redis clients, a delayed-job promoter per
/// queue and one consumer of all five queues (weighted by priority), and the activity worker of the workflows,
/// in one service group.
package func buildWorker(
    configuration: WorkerConfiguration,
    metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    logger: Logger
) -> some ApplicationProtocol {
    let service = configuration.service
    let platformClient = PlatformHTTPClient(connectionsPerHost: configuration.concurrency)
    let http = PlatformHTTP(client: platformClient.client, timeout: service.outbound.timeout, policy: OutboundURLPolicy(allowPrivateHosts: service.outbound.allowPrivateHosts))
    let providers = ProviderRegistry.all(http: http, platforms: service.platforms)
    let cipher = TokenCipher(keys: configuration.security.encryptionKeys)
    let counters = WorkerMetrics(registry: metrics)
    return AdminRoutes.serviceApplication(configuration: service, metrics: metrics, logger: logger) { database, redis in
        let queues = QueueName.allCases.map { JobQueue(name: $0, redis: redis) }
        let publishQueue = queues.first { $0.name == .publish }!
        let storage = service.storage.makeStorage(client: platformClient.client, publicURL: configuration.mail.publicURL, signingSecret: configuration.security.jwtSecret)
        let publish = PublishJobHandler(database: database, providers: providers, cipher: cipher, queue: publishQueue, storage: storage, metrics: counters, logger: logger)
        let processing = MediaJobHandler(
            database: database, storage: storage, tools: configuration.mediaTools, events: EventPublisher(redis: redis),
            workFolder: service.storage.localPath + "/.processing", logger: logger
        )
        let unpublish = UnpublishJobHandler(database: database, providers: providers, cipher: cipher, queue: publishQueue, metrics: counters, logger: logger)
        let metricsReader = MetricsJobHandler(database: database, providers: providers, cipher: cipher, queue: publishQueue, metrics: counters, logger: logger)
        var handlers: [any JobHandler] = [publish, unpublish, metricsReader, processing]
        if let smtp = configuration.mail.smtp {
            handlers.append(EmailJobHandler(client: SMTPClient(server: smtp), mail: configuration.mail, cipher: cipher, logger: logger))
        }
        let consumer = QueueConsumer(
            queues: queues.map { QueueConsumer.WeightedQueue($0, weight: $0.name.weight) }, redis: redis, handlers: handlers,
            deadLetters: DeadJobRepository(client: database, logger: logger), consumerName: configuration.consumerName,
            concurrency: configuration.concurrency, leases: configuration.leases, metrics: counters, logger: logger
        )
        let perQueue: [any Service] = queues.flatMap { queue -> [any Service] in
            [DelayedJobPromoter(queue: queue, redis: redis, logger: logger), QueueMetrics(queue: queue, registry: metrics, logger: logger)]
        }
        // The activities of ARKYRA's workflows, on the orchestrator's task queue.
        let temporal = TemporalConnection(configuration: service.orchestration.temporal, logger: logger)
        let activities = ActivityWorker(
            service: temporal.service, taskQueue: service.orchestration.taskQueue,
            activities: Workflows.activities(database: database, redis: redis, logger: logger), logger: logger
        )
        return [platformClient] + perQueue + [consumer, temporal, TemporalWorkerService(activities)]
    }
}
