import ArkyraTemporal
import Foundation
import Logging

/// When the last post of each of a campaign's groups is due (nil for a group with no time, or gone).
package struct ReadCampaignSchedule: Activity {
    package static let name = "ReadCampaignSchedule"

    package struct Input: Codable, Sendable {
        package var organizationID: UUID
        package var groupIDs: [UUID]
    }

    package struct Output: Codable, Sendable {
        package var groups: [Group]
    }

    package struct Group: Codable, Sendable {
        package var groupID: UUID
        package var lastPublishAt: Date?
    }

    let database: Database
    let logger: Logger

    package init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    package func run(_ input: Input, context: ActivityContext) async throws -> Output {
        let posts = PostRepository(logger: logger)
        var groups: [Group] = []
        for groupID in input.groupIDs {
            let group = try await posts.group(groupID, organizationID: input.organizationID, client: database)
            groups.append(Group(groupID: groupID, lastPublishAt: group.compactMap { $0.publishedAt ?? $0.publishAt }.max()))
        }
        return Output(groups: groups)
    }
}

/// A campaign group's posts as they stand: state, link or error, and the counts the worker last read. With
/// `refreshCounts`, it also asks the worker to read the counts of the published posts again (one metrics job per
/// post, so asking twice changes nothing).
package struct CollectCampaignResults: Activity {
    package static let name = "CollectCampaignResults"

    package struct Input: Codable, Sendable {
        package var organizationID: UUID
        package var groupID: UUID
        package var refreshCounts: Bool
    }

    let database: Database
    let queue: JobQueue
    let logger: Logger

    package init(database: Database, queue: JobQueue, logger: Logger) {
        self.database = database
        self.queue = queue
        self.logger = logger
    }

    package func run(_ input: Input, context: ActivityContext) async throws -> CampaignResults.Group {
        let posts = try await PostRepository(logger: logger).group(input.groupID, organizationID: input.organizationID, client: database)
        let metrics = PostMetricsRepository(logger: logger)
        var results: [CampaignResults.Post] = []
        for post in posts {
            if input.refreshCounts, post.state == .published {
                try await queue.schedule(MetricsJob(postID: post.id, organizationID: post.organizationID).job(requestID: "campaign-\(input.groupID)"), at: Date())
            }
            let stored = try await metrics.find(postID: post.id, organizationID: post.organizationID, client: database)
            results.append(CampaignResults.Post(
                postID: post.id, integrationID: post.integrationID, state: post.state.rawValue, publishedAt: post.publishedAt, url: post.platformURL,
                error: post.error, counts: stored?.metrics.counts ?? [:], countsAt: stored?.fetchedAt, countsError: stored?.error
            ))
        }
        return CampaignResults.Group(groupID: input.groupID, collectedAt: Date(), posts: results)
    }
}

/// What a campaign keeps of each group once its results are collected.
package enum CampaignResults {
    package struct Group: Codable, Sendable, Equatable {
        package var groupID: UUID
        package var collectedAt: Date
        package var posts: [Post]

        /// Some post is still on its way to the platform (waiting, scheduled, publishing).
        var inFlight: Bool {
            posts.contains { [PostState.waiting, .scheduled, .publishing].map(\.rawValue).contains($0.state) }
        }
    }

    package struct Post: Codable, Sendable, Equatable {
        package var postID: UUID
        package var integrationID: UUID
        package var state: String
        package var publishedAt: Date?
        package var url: String?
        package var error: String?
        package var counts: [String: Int]
        package var countsAt: Date?
        package var countsError: String?
    }
}
