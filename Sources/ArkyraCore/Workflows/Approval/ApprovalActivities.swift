import ArkyraTemporal
import Foundation
import Logging

/// Schedules the draft posts of an approved group, as a person scheduling them would: each thread's first post
/// becomes scheduled (at its own time, or now when that passed while it waited) and gets its publish job after the
/// commit. Safe to run again: posts already scheduled are left alone, and the job of a post is keyed by the post.
package struct ScheduleApprovedGroup: Activity {
    package static let name = "ScheduleApprovedGroup"

    package struct Input: Codable, Sendable {
        package var organizationID: UUID
        package var groupID: UUID
        package var approvedBy: UUID
    }

    package struct Output: Codable, Sendable {
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
        let audit = AuditRepository(logger: logger)
        let now = Date()
        let scheduled = try await database.inTransaction(logger: logger) { connection in
            var scheduled: [Post] = []
            for post in try await posts.lockGroup(input.groupID, organizationID: input.organizationID, on: connection)
            where post.parentID == nil && post.state == .draft {
                let publishAt = max(post.publishAt ?? now, now)
                guard let changed = try await posts.setState(.scheduled, id: post.id, publishAt: publishAt, on: connection) else { continue }
                try await audit.record(
                    AuditEvent(organizationID: input.organizationID, actorUserID: input.approvedBy, action: "post.approved",
                               targetType: "post", targetID: post.id.uuidString, origin: RequestOrigin(ip: nil, userAgent: "arkyra-worker", requestID: "approval-\(input.groupID)")),
                    on: connection
                )
                scheduled.append(changed)
            }
            return scheduled
        }
        await queue.schedulePublishing(scheduled, requestID: "approval-\(input.groupID)", logger: logger)
        return Output(posts: scheduled.count)
    }
}

/// Adds an in-app notification for the organization about a post group (reminders, escalations, decisions). With
/// a `notificationID` (the workflow's `uuid()`), a retry after a lost answer does not add it twice.
package struct NotifyOrganization: Activity {
    package static let name = "NotifyOrganization"

    package struct Input: Codable, Sendable {
        package var organizationID: UUID
        package var groupID: UUID
        package var kind: String
        package var message: String
        package var notificationID: UUID?
    }

    let database: Database
    let events: EventPublisher
    let logger: Logger

    package init(database: Database, events: EventPublisher, logger: Logger) {
        self.database = database
        self.events = events
        self.logger = logger
    }

    package func run(_ input: Input, context: ActivityContext) async throws -> Empty {
        let first = try await PostRepository(logger: logger).group(input.groupID, organizationID: input.organizationID, client: database).first
        let id = input.notificationID ?? UUID()
        try await database.inTransaction(logger: logger) { connection in
            try await NotificationRepository(logger: logger).create(
                id: id, organizationID: input.organizationID, postID: first?.id, kind: input.kind, message: input.message, on: connection
            )
        }
        // The pages open in the organization hear of it at once; one missed (Redis away) is seen on the next page.
        do {
            try await events.publish(NotificationEvent(organizationID: input.organizationID, notificationID: id, kind: input.kind, message: input.message))
        } catch {
            logger.warning("a notification event was not published", metadata: ["error": "\(error)"])
        }
        return Empty()
    }
}
