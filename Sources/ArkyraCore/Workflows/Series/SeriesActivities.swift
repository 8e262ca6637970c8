import ArkyraTemporal
import Foundation
import Logging

/// Makes one occurrence of a series: a copy of the template group (its variants, threads and files), scheduled at
/// the occurrence's time, with its publish jobs after the commit. The group id comes from the workflow, so an
/// attempt that runs again (after a crash or a timeout) finds the group made and makes nothing.
package struct CreateSeriesOccurrence: Activity {
    package static let name = "CreateSeriesOccurrence"

    package struct Input: Codable, Sendable {
        package var organizationID: UUID
        package var templateGroupID: UUID
        package var createdBy: UUID
        package var publishAt: Date
        package var timeZone: String
        package var groupID: UUID
    }

    package struct Output: Codable, Sendable {
        package var groupID: UUID
        package var posts: Int
    }

    let database: Database
    let queue: JobQueue
    let logger: Logger

    package init(database: Database, queue: JobQueue, logger: Logger) {
        self.database = database
        self.queue = queue
        self.logger = logger
    }

    package func run(_ input: Input, context: ActivityContext) async throws -> Output {
        let posts = PostRepository(logger: logger)
        let template = try await posts.template(of: input.templateGroupID, organizationID: input.organizationID, client: database)
        guard !template.isEmpty else {
            throw ApplicationFailure("the series' template group is gone", type: "TemplateMissing", nonRetryable: true)
        }
        let created = try await database.inTransaction(logger: logger) { connection -> [Post] in
            guard try await !posts.lockGroupCreation(input.groupID, on: connection) else { return [] }
            let created = try await posts.createGroup(
                organizationID: input.organizationID, authorID: input.createdBy, posts: template, state: .scheduled,
                publishAt: input.publishAt, timeZone: input.timeZone, groupID: input.groupID, on: connection
            )
            try await AuditRepository(logger: logger).record(
                AuditEvent(organizationID: input.organizationID, actorUserID: input.createdBy, action: "series.occurrence",
                           targetType: "post_group", targetID: input.groupID.uuidString,
                           origin: RequestOrigin(ip: nil, userAgent: "arkyra-worker", requestID: "series-\(input.templateGroupID)")),
                on: connection
            )
            return created
        }
        await queue.schedulePublishing(created.filter { $0.parentID == nil }, requestID: "series-\(input.templateGroupID)", logger: logger)
        return Output(groupID: input.groupID, posts: created.filter { $0.parentID == nil }.count)
    }
}
