import Foundation

/// "Process this file" on the media queue: probe it, make its thumbnail and the derived files platforms
/// need. One job per file (the id is the file's), so uploading the same file again adds no second job.
package struct MediaJob: Sendable, Equatable {
    package static let type = "media.process"
    package var mediaID: UUID
    package var organizationID: UUID
    /// Only take the thumbnail again (a person chose another frame of a video).
    package var thumbnailOnly: Bool

    package init(mediaID: UUID, organizationID: UUID, thumbnailOnly: Bool = false) {
        self.mediaID = mediaID
        self.organizationID = organizationID
        self.thumbnailOnly = thumbnailOnly
    }

    package func job(requestID: String?) -> Job {
        var data = ["media_id": mediaID.uuidString, "organization_id": organizationID.uuidString]
        if thumbnailOnly { data["thumbnail_only"] = "true" }
        return Job(id: "media-\(mediaID.uuidString.lowercased())" + (thumbnailOnly ? "-thumbnail" : ""), type: Self.type, data: data, requestID: requestID)
    }

    /// The job's file; nil when it is not a media job.
    package init?(_ job: Job) {
        guard job.type == Self.type, let media = job.data["media_id"].flatMap(UUID.init(uuidString:)),
              let organization = job.data["organization_id"].flatMap(UUID.init(uuidString:))
        else { return nil }
        self.init(mediaID: media, organizationID: organization, thumbnailOnly: job.data["thumbnail_only"] == "true")
    }
}
