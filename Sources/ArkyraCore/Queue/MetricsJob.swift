import Foundation

/// The arguments of a `metrics` job: read a published post's counts from its platform.
package struct MetricsJob: Sendable, Equatable {
    package static let type = "metrics"

    package var postID: UUID
    package var organizationID: UUID

    package init(postID: UUID, organizationID: UUID) {
        self.postID = postID
        self.organizationID = organizationID
    }

    /// Reads a job's arguments; nil when it is not a well-formed metrics job.
    package init?(_ job: Job) {
        guard job.type == Self.type,
              let postID = job.data["post_id"].flatMap(UUID.init(uuidString:)),
              let organizationID = job.data["organization_id"].flatMap(UUID.init(uuidString:))
        else { return nil }
        self.init(postID: postID, organizationID: organizationID)
    }

    /// The queue job; one per post (asking twice keeps one job).
    package func job(requestID: String?) -> Job {
        Job(
            id: "metrics:\(postID.uuidString)", type: Self.type,
            data: ["post_id": postID.uuidString, "organization_id": organizationID.uuidString], requestID: requestID
        )
    }
}
