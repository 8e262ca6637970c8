import Foundation

/// The arguments of a `publish` job: which post, of which organization, and how many tries came before.
package struct PublishJob: Sendable, Equatable {
    package static let type = "publish"

    package var postID: UUID
    package var organizationID: UUID
    package var attempt: Int

    package init(postID: UUID, organizationID: UUID, attempt: Int = 0) {
        self.postID = postID
        self.organizationID = organizationID
        self.attempt = attempt
    }

    /// Reads a job's arguments; nil when it is not a well-formed publish job.
    package init?(_ job: Job) {
        guard job.type == Self.type,
              let postID = job.data["post_id"].flatMap(UUID.init(uuidString:)),
              let organizationID = job.data["organization_id"].flatMap(UUID.init(uuidString:))
        else { return nil }
        self.init(postID: postID, organizationID: organizationID, attempt: job.attempt)
    }

    /// The queue job; its id is the post id, so scheduling a post twice keeps one job.
    package func job(requestID: String?) -> Job {
        Job(
            id: postID.uuidString, type: Self.type,
            data: ["post_id": postID.uuidString, "organization_id": organizationID.uuidString],
            requestID: requestID, attempt: attempt
        )
    }
}
