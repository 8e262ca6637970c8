import Prometheus

/// The pools' usage, set each time `/metrics` is scraped:
/// - `arkyra_db_connections{state="in_use|waiting|max"}`: PostgreSQL leases held, callers waiting for one
///   (a pool too small shows here before requests answer 503), and the pool's size;
/// - `arkyra_redis_commands_in_flight` and `arkyra_redis_pool_connections`: commands not yet answered on the
///   shared connections, and how many those are.
package struct PoolMetrics: Sendable {
    let database: Database
    let redis: RedisClient

    package init(database: Database, redis: RedisClient) {
        self.database = database
        self.redis = redis
    }

    func update(_ registry: PrometheusCollectorRegistry) {
        let connections = MetricNameDescriptor(namespace: "arkyra", metricName: "db_connections", unitName: "", helpText: "PostgreSQL pool: leases in use, callers waiting, size")
        let usage = database.usage
        registry.makeGauge(descriptor: connections, labels: [("state", "in_use")]).set(Double(usage.inUse))
        registry.makeGauge(descriptor: connections, labels: [("state", "waiting")]).set(Double(usage.waiting))
        if let max = database.maxConnections { registry.makeGauge(descriptor: connections, labels: [("state", "max")]).set(Double(max)) }
        registry.makeGauge(descriptor: .init(namespace: "arkyra", metricName: "redis_commands_in_flight", unitName: "", helpText: "Redis commands awaiting replies on the shared connections"))
            .set(Double(redis.commandsInFlight))
        registry.makeGauge(descriptor: .init(namespace: "arkyra", metricName: "redis_pool_connections", unitName: "", helpText: "Shared Redis connections"))
            .set(Double(redis.configuration.poolSize))
    }
}
