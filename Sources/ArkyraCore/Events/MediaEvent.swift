import Foundation

/// How a file's processing goes, as browsers receive it over the organization's event stream:
/// `media.progress` (with `percent`, while a video is transcoded), `media.ready`, `media.failed` (with `message`).
package struct MediaEvent: Sendable, Codable, Equatable {
    package var type: String
    package var organizationID: UUID
    package var mediaID: UUID
    package var percent: Int?
    package var message: String?
    package var at: Date

    package init(type: String, organizationID: UUID, mediaID: UUID, percent: Int? = nil, message: String? = nil, at: Date = Date()) {
        self.type = type
        self.organizationID = organizationID
        self.mediaID = mediaID
        self.percent = percent
        self.message = message
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case type, percent, message, at
        case organizationID = "organization_id"
        case mediaID = "media_id"
    }
}
