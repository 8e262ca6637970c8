import Foundation

/// The arguments of a job about one post of an organization, kept once per post and kind: its id is
/// `<type>:<post id>`, so asking twice keeps one job.
package protocol PostJobArguments: Sendable, Equatable {
    static var type: String { get }
    var postID: UUID { get }
    var organizationID: UUID { get }
    init(postID: UUID, organizationID: UUID)
}

extension PostJobArguments {
    /// Reads a job's arguments; nil when it is not a well-formed job of this kind.
    package init?(_ job: Job) {
        guard job.type == Self.type,
              let postID = job.data["post_id"].flatMap(UUID.init(uuidString:)),
              let organizationID = job.data["organization_id"].flatMap(UUID.init(uuidString:))
        else { return nil }
        self.init(postID: postID, organizationID: organizationID)
    }

    package func job(requestID: String?) -> Job {
        Job(
            id: "\(Self.type):\(postID.uuidString)", type: Self.type,
            data: ["post_id": postID.uuidString, "organization_id": organizationID.uuidString], requestID: requestID
        )
    }
}
