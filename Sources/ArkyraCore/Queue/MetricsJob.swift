import Foundation

/// The arguments of a `metrics` job: read a published post's counts from its platform.
package struct MetricsJob: PostJobArguments {
    package static let type = "metrics"

    package var postID: UUID
    package var organizationID: UUID

    package init(postID: UUID, organizationID: UUID) {
        self.postID = postID
        self.organizationID = organizationID
    }
}
