import ArkyraCore
import Prometheus

/// What the worker counts, in the registry its `/metrics` serves. Labels are bounded: queue names, platform
/// identifiers and fixed outcomes.
/// - `arkyra_jobs_total{queue, outcome="completed|retried|dead"}` and
///   `arkyra_job_duration_seconds{queue}`: each delivery a handler finished, and how long it took;
/// - `arkyra_posts_total{platform, state="published|failed|unconfirmed"}`: posts settled;
/// - `arkyra_token_refreshes_total{platform, outcome="refreshed|failed"}`.
package struct WorkerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    package init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// How a delivery of a job ended.
    enum JobOutcome: String {
        case completed, retried, dead
    }

    static let durationBuckets: [Duration] = [.milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                                              .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60)]

    func jobFinished(queue: QueueName, outcome: JobOutcome, after duration: Duration?) {
        registry.makeCounter(descriptor: Self.jobs, labels: [("queue", queue.rawValue), ("outcome", outcome.rawValue)]).increment()
        if let duration {
            registry.makeDurationHistogram(descriptor: Self.jobDuration, labels: [("queue", queue.rawValue)], buckets: Self.durationBuckets)
                .record(duration)
        }
    }

    func postSettled(platform: String, state: PostState) {
        registry.makeCounter(descriptor: Self.posts, labels: [("platform", platform), ("state", state.rawValue)]).increment()
    }

    func tokenRefresh(platform: String, succeeded: Bool) {
        registry.makeCounter(descriptor: Self.refreshes, labels: [("platform", platform), ("outcome", succeeded ? "refreshed" : "failed")]).increment()
    }

    private static var jobs: MetricNameDescriptor { .init(namespace: "arkyra", metricName: "jobs", unitName: "total", helpText: "Job deliveries finished, by outcome") }
    private static var jobDuration: MetricNameDescriptor { .init(namespace: "arkyra", metricName: "job_duration", unitName: "seconds", helpText: "Time a handler spent on a job") }
    private static var posts: MetricNameDescriptor { .init(namespace: "arkyra", metricName: "posts", unitName: "total", helpText: "Posts settled, by state") }
    private static var refreshes: MetricNameDescriptor { .init(namespace: "arkyra", metricName: "token_refreshes", unitName: "total", helpText: "Channel token refreshes") }
}
