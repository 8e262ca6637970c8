import ArkyraTemporal
import Foundation
import Logging

/// ARKYRA's workflows and the activities they call: the orchestrator runs the first, arkyra-worker the second,
/// both on the configured task queue. A new workflow or activity is added here.
package enum Workflows {
    package static let all: [any Workflow.Type] = [ApprovalWorkflow.self, SeriesWorkflow.self]
    package static let names: [String] = [ApprovalWorkflow.name, SeriesWorkflow.name]

    package static func activities(database: Database, redis: RedisClient, logger: Logger) -> [any Activity] {
        [
            ScheduleApprovedGroup(database: database, queue: JobQueue(name: .publish, redis: redis), logger: logger),
            NotifyOrganization(database: database, logger: logger),
            CreateSeriesOccurrence(database: database, queue: JobQueue(name: .publish, redis: redis), logger: logger),
        ]
    }

    /// The search attribute that holds a run's organization: lists are filtered by it.
    package static let organizationAttribute = "ArkyraOrganization"
}
