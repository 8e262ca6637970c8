import Foundation

/// The arguments of an `unpublish` job: take a published post down from its platform.
package struct UnpublishJob: PostJobArguments {
    package static let type = "unpublish"

    package var postID: UUID
    package var organizationID: UUID

    package init(postID: UUID, organizationID: UUID) {
        self.postID = postID
        self.organizationID = organizationID
    }
}
