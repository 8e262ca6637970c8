import Foundation

/// The arguments of a `publish` job: which post, of which organization, and how many tries came before.
public struct PublishJob: Sendable, Equatable {
    public static let type = "publish"

    public var postID: UUID
    public var organizationID: UUID
    public var attempt: Int

    public init(postID: UUID, organizationID: UUID, attempt: Int = 0) {
        self.postID = postID
        self.organizationID = organizationID
        self.attempt = attempt
    }

    /// Reads a job's arguments; nil when it is not a well-formed publish job.
    public init?(_ job: Job) {
        guard job.type == Self.type,
              let postID = job.data["post_id"].flatMap(UUID.init(uuidString:)),
              let organizationID = job.data["organization_id"].flatMap(UUID.init(uuidString:))
        else { return nil }
        self.init(postID: postID, organizationID: organizationID, attempt: job.attempt)
    }

    /// The queue job; its id is the post id, so scheduling a post twice keeps one job.
    public func job(requestID: String?) -> Job {
        Job(
            id: postID.uuidString, type: Self.type,
            data: ["post_id": postID.uuidString, "organization_id": organizationID.uuidString],
            requestID: requestID, attempt: attempt
        )
    }
}
