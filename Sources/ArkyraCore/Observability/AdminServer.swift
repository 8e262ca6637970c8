import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// The routes every service exposes for Kubernetes and Prometheus: `/health` (every dependency; 503 when one
/// fails), `/health/live` (the process answers) and `/metrics`.
package enum AdminRoutes {
    /// Adds the admin routes to `router`.
    static func add<Context: RequestContext>(to router: Router<Context>, checks: [HealthCheck], metrics: PrometheusCollectorRegistry, pools: PoolMetrics?) {
        let process = ProcessMetrics(registry: metrics)
        router.get("health") { _, _ in
            try healthResponse(await HealthReport.run(checks))
        }
        router.get("health/live") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        router.get("metrics") { _, _ in
            process.update()
            pools?.update(metrics)
            // Each scrape probes the dependencies, so alerts see what the readiness probe sees.
            let report = await HealthReport.run(checks)
            for (name, check) in report.checks {
                metrics.makeGauge(descriptor: Self.dependencyUp, labels: [("dependency", name)]).set(check.status == "ok" ? 1.0 : 0.0)
            }
            return metricsResponse(metrics)
        }
    }

    /// `arkyra_dependency_up{dependency="db|redis|storage"}`: 1 when the dependency answered its health check.
    static var dependencyUp: MetricNameDescriptor {
        .init(namespace: "arkyra", metricName: "dependency_up", unitName: "", helpText: "1 when the dependency answers its health check")
    }

    /// The registry in Prometheus's text format.
    static func metricsResponse(_ metrics: PrometheusCollectorRegistry) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer()))
        )
    }

    /// A health report as JSON: 200 when healthy, 503 when not.
    package static func healthResponse(_ report: HealthReport) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Response(
            status: report.isHealthy ? .ok : .serviceUnavailable,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(data: try encoder.encode(report)))
        )
    }

    /// A Hummingbird application that serves only the admin routes on `host:port`, running `services` (the
    /// process's clients and loops) in its service group.
    package static func application(
        host: String, port: Int, checks: [HealthCheck], metrics: PrometheusCollectorRegistry, pools: PoolMetrics?,
        services: [any Service], logger: Logger
    ) -> some ApplicationProtocol {
        let router = Router()
        add(to: router, checks: checks, metrics: metrics, pools: pools)
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            services: services,
            logger: logger
        )
    }
}

extension AdminRoutes {
    /// The shape every background service shares: a PostgreSQL pool and a Redis client, health checks on
    /// both (and `checks`), and the admin server, plus whatever loops `makeServices` adds with those clients.
    package static func serviceApplication(
        configuration: ServiceConfiguration,
        metrics: PrometheusCollectorRegistry,
        logger: Logger,
        checks: [HealthCheck] = [],
        makeServices: (Database, RedisClient) -> [any Service] = { _, _ in [] }
    ) -> some ApplicationProtocol {
        let database = Database(configuration: configuration.database, logger: logger)
        let redis = RedisClient(configuration: configuration.redis)
        return application(
            host: configuration.adminHost,
            port: configuration.adminPort,
            checks: [.database(database), .redis(redis)] + checks,
            metrics: metrics,
            pools: PoolMetrics(database: database, redis: redis),
            services: [database, redis] + makeServices(database, redis),
            logger: logger
        )
    }
}
