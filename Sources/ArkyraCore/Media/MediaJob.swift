import Foundation

/// "Process this file" on the media queue: probe it, make its thumbnail and the derived files platforms
/// need. One job per file (the id is the file's), so uploading the same file again adds no second job.
package struct MediaJob: Sendable, Equatable {
    package static let type = "media.process"
    package var mediaID: UUID
    package var organizationID: UUID

    package init(mediaID: UUID, organizationID: UUID) {
        self.mediaID = mediaID
        self.organizationID = organizationID
    }

    package func job(requestID: String?) -> Job {
        Job(id: "media-\(mediaID.uuidString.lowercased())", type: Self.type,
            data: ["media_id": mediaID.uuidString, "organization_id": organizationID.uuidString], requestID: requestID)
    }

    /// The job's file; nil when it is not a media job.
    package init?(_ job: Job) {
        guard job.type == Self.type, let media = job.data["media_id"].flatMap(UUID.init(uuidString:)),
              let organization = job.data["organization_id"].flatMap(UUID.init(uuidString:))
        else { return nil }
        self.init(mediaID: media, organizationID: organization)
    }
}
