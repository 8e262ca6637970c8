import ArkyraTemporal
import Foundation
import Logging

/// ARKYRA's workflows and the activities they call: the orchestrator runs the first, arkyra-worker the second,
/// both on the configured task queue. A new workflow or activity is added here.
package enum Workflows {
    /// Computed: an array of metatypes is not Sendable, so it is not kept in a static.
    package static var all: [any Workflow.Type] { [ApprovalWorkflow.self, SeriesWorkflow.self, CampaignWorkflow.self] }
    package static let names: [String] = all.map { $0.name }

    package static func activities(database: Database, redis: RedisClient, logger: Logger) -> [any Activity] {
        [
            ScheduleApprovedGroup(database: database, queue: JobQueue(name: .publish, redis: redis), logger: logger),
            NotifyOrganization(database: database, events: EventPublisher(redis: redis), logger: logger),
            CreateSeriesOccurrence(database: database, queue: JobQueue(name: .publish, redis: redis), logger: logger),
            ReadCampaignSchedule(database: database, logger: logger),
            CollectCampaignResults(database: database, queue: JobQueue(name: .publish, redis: redis), logger: logger),
        ]
    }

    /// How the workflows run their database activities: 30 s an attempt, retried with backoff for up to an hour
    /// (PostgreSQL away for a while delays a step; it does not fail the workflow).
    package static let databaseActivity = ActivityOptions(
        scheduleToCloseTimeout: .seconds(3600), startToCloseTimeout: .seconds(30),
        retry: RetryPolicy(initialInterval: .seconds(1), backoffCoefficient: 2, maximumInterval: .seconds(60))
    )

    /// The search attribute that holds a run's organization: lists are filtered by it.
    package static let organizationAttribute = "ArkyraOrganization"
}
