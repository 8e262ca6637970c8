import ArkyraCore
import Foundation
import Hummingbird

/// Postiz's `POST /public/v1/upload` (multipart, part `file`) and `POST /public/v1/upload-from-url`
/// (`{"url"}`), answering Postiz's media object: `id`, `name`, `path` (a URL the file can be fetched
/// from), `thumbnail`, `alt`.
struct PublicMediaRoutes {
    let media: MediaService
    let fetcher: MediaFetcher
    let maxBodyBytes: Int

    struct FromURLBody: StrictDecodable {
        typealias Fields = CodingKeys
        var url: String
        enum CodingKeys: String, CodingKey, CaseIterable { case url }
    }

    /// Postiz's shape of a saved file.
    struct PostizMedia: Encodable {
        var id: String
        var name: String
        var originalName: String?
        var path: String
        var thumbnail: String?
        var alt: String?
    }

    func add(to group: RouterGroup<PublicAPIContext>) {
        group.post("upload") { request, context in
            let upload = try await MultipartUpload.read(request, staging: { try await media.stage(organizationID: context.organizationID) }, limits: media.limits)
            let (file, _) = try await media.ingest(upload.file, name: upload.filename, organizationID: context.organizationID, by: nil, origin: context.origin(request))
            return try JSONBody.response(postiz(file, originalName: upload.filename), status: .created, camelCase: true)
        }
        group.post("upload-from-url") { request, context in
            let body = try await JSONBody.decode(FromURLBody.self, from: request, maxBytes: maxBodyBytes)
            let (staged, _) = try await fetcher.fetch(body.url, with: media, organizationID: context.organizationID)
            // Postiz names these `upload.EXT`.
            let (file, _) = try await media.ingest(staged, name: nil, organizationID: context.organizationID, by: nil, origin: context.origin(request))
            return try JSONBody.response(postiz(file, originalName: nil), status: .created, camelCase: true)
        }
    }

    func postiz(_ file: MediaRepository.Media, originalName: String?) -> PostizMedia {
        let shown = media.json(file)
        return PostizMedia(id: file.id.uuidString, name: file.name, originalName: originalName, path: shown.url, thumbnail: shown.thumbnailURL, alt: file.alt)
    }
}
