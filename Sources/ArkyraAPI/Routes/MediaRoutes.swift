import ArkyraCore
import Foundation
import Hummingbird

/// `/api/v1/organizations/:organization/media`: the media library. Editors and above upload (multipart, from
/// a URL, or straight to the bucket with a presigned PUT), rename and delete; viewers list.
struct MediaRoutes {
    let organizations: OrganizationService
    let media: MediaService
    let fetcher: MediaFetcher
    let redis: RedisClient
    let maxBodyBytes: Int

    struct FromURLBody: StrictDecodable {
        typealias Fields = CodingKeys
        var url: String
        var name: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case url, name }
    }

    struct StartUploadBody: StrictDecodable {
        typealias Fields = CodingKeys
        var name: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case name }
    }

    /// `name`, `alt` (null or empty removes the alt text) and/or `thumbnail_at_ms` (a video's frame for its thumbnail).
    struct UpdateBody: StrictDecodable {
        typealias Fields = CodingKeys
        var name: String?
        var alt: String??
        var thumbnailAtMs: Int?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, alt
            case thumbnailAtMs = "thumbnail_at_ms"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            thumbnailAtMs = try container.decodeIfPresent(Int.self, forKey: .thumbnailAtMs)
            alt = container.contains(.alt) ? .some(try container.decodeIfPresent(String.self, forKey: .alt)) : nil
        }
    }

    struct Uses: Encodable { var posts: [PostRepository.MediaUse] }

    struct Listing: Encodable {
        var media: [MediaService.MediaJSON]
        var page: Int
        var perPage: Int
        var total: Int
        var bytesUsed: Int
        var quotaBytes: Int
    }

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.post { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let upload = try await MultipartUpload.read(request, staging: { try await media.stage(organizationID: organization.id) }, limits: media.limits)
            let (file, created) = try await media.ingest(
                upload.file, name: upload.fields["name"] ?? upload.filename, organizationID: organization.id, by: context.userID, origin: context.origin(request)
            )
            return try JSONBody.response(try await media.json([file])[0], status: created ? .created : .ok)
        }
        group.post("from-url") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let body = try await JSONBody.decode(FromURLBody.self, from: request, maxBytes: maxBodyBytes)
            let (staged, filename) = try await fetcher.fetch(body.url, with: media, organizationID: organization.id)
            let (file, created) = try await media.ingest(staged, name: body.name ?? filename, organizationID: organization.id, by: context.userID,
                                                         origin: context.origin(request))
            return try JSONBody.response(try await media.json([file])[0], status: created ? .created : .ok)
        }
        group.post("uploads") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let body = try await JSONBody.decode(StartUploadBody.self, from: request, maxBytes: maxBodyBytes)
            return try JSONBody.response(try await media.startDirectUpload(organizationID: organization.id, userID: context.userID, name: body.name, redis: redis),
                                         status: .created)
        }
        group.post("uploads/:upload/complete") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let (file, created) = try await media.completeDirectUpload(
                id: try context.parameters.require("upload"), organizationID: organization.id, by: context.userID, origin: context.origin(request), redis: redis
            )
            return try JSONBody.response(try await media.json([file])[0], status: created ? .created : .ok)
        }
        group.get { request, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            let filter = try Self.filter(request.uri.queryParameters)
            let (files, total) = try await media.media.list(organizationID: organization.id, filter: filter, client: media.database)
            let used = try await media.media.bytesUsed(organizationID: organization.id, client: media.database)
            return try JSONBody.response(Listing(media: try await media.json(files), page: filter.page, perPage: filter.perPage, total: total,
                                                 bytesUsed: used, quotaBytes: media.limits.quotaBytesPerOrganization))
        }
        group.get(":media") { _, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            guard let id = UUID(uuidString: try context.parameters.require("media")),
                  let file = try await media.media.find(id: id, organizationID: organization.id, client: media.database)
            else { throw APIError.notFound("media") }
            return try JSONBody.response(try await media.json([file])[0])
        }
        group.patch(":media") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            guard let id = UUID(uuidString: try context.parameters.require("media")) else { throw APIError.notFound("media") }
            let body = try await JSONBody.decode(UpdateBody.self, from: request, maxBytes: maxBodyBytes)
            let file = try await media.update(id: id, organizationID: organization.id, name: body.name, alt: body.alt, thumbnailAtMs: body.thumbnailAtMs,
                                              requestID: context.requestID)
            return try JSONBody.response(try await media.json([file])[0])
        }
        group.delete(":media") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            guard let id = UUID(uuidString: try context.parameters.require("media")) else { throw APIError.notFound("media") }
            let force = request.uri.queryParameters["force"]
            guard force == nil || force == "true" || force == "false" else { throw APIError.validation(["force": "must be true or false"]) }
            try await media.delete(id: id, organizationID: organization.id, force: force == "true", by: context.userID, origin: context.origin(request))
            return Response(status: .noContent)
        }
        group.get(":media/posts") { _, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            guard let id = UUID(uuidString: try context.parameters.require("media")),
                  try await media.media.find(id: id, organizationID: organization.id, client: media.database) != nil
            else { throw APIError.notFound("media") }
            return try JSONBody.response(Uses(posts: try await media.posts.uses(ofMedia: id, organizationID: organization.id, client: media.database)))
        }
    }

    static func filter(_ query: Hummingbird.Parameters) throws -> MediaRepository.Filter {
        var filter = MediaRepository.Filter()
        var fields: [String: String] = [:]
        if let kind = query["kind"] {
            filter.kind = MediaKind(rawValue: String(kind))
            if filter.kind == nil { fields["kind"] = "must be image or video" }
        }
        if let search = query["search"] {
            if search.count > 200 || search.contains("\u{0}") { fields["search"] = "must be at most 200 characters" } else { filter.search = String(search) }
        }
        if let page = query["page"] {
            if let value = Int(page), (1...10_000).contains(value) { filter.page = value } else { fields["page"] = "must be 1 to 10000" }
        }
        if let perPage = query["per_page"] {
            if let value = Int(perPage), (1...100).contains(value) { filter.perPage = value } else { fields["per_page"] = "must be 1 to 100" }
        }
        guard fields.isEmpty else { throw APIError.validation(fields) }
        return filter
    }
}
