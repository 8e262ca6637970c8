import ArkyraCore
import Foundation
import Hummingbird

/// `/app/:organization/media`: the media library — thumbnails, size, processing state and the storage used —
/// with uploads (a multipart form that works without script; `media.js` sends it to
/// `POST /api/v1/…/media` with a progress bar instead), alt text and names, and deleting a file no post uses.
/// The rules are MediaService's, as the API's.
struct MediaPage {
    let pages: WebPages
    static let perPage = 24

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get("media") { request, context in
            let member = try await pages.member(context, .readContent)
            return try await page(request, member: member, PageRenderer.values(["notice": pages.done(request)]))
        }
        group.post("media") { request, context in
            let member = try await pages.member(context, .writePosts)
            do {
                let upload = try await MultipartUpload.read(request, staging: { try await pages.media.stage(organizationID: member.id) }, limits: pages.media.limits)
                guard WebForm.tokenMatches(upload.fields[BrowserSession.csrfField], pages.renderer.expectedToken(request, sessionID: context.sessionID)) else {
                    await MediaStaging.remove(upload.file)
                    throw WebForm.csrfFailed
                }
                _ = try await pages.media.ingest(upload.file, name: upload.fields["name"].flatMap { $0.isEmpty ? nil : $0 } ?? upload.filename,
                                                 organizationID: member.id, by: context.userID, origin: context.origin(request))
                return WebSessionMiddleware.redirect(to: member.path + "/media?done=media_uploaded")
            } catch let error as APIError where error.status != .forbidden {
                let error = pages.renderer.localized(error, request)
                return try await page(request, member: member, ["error": error.message], status: error.status)
            }
        }
        group.post("media/:media") { request, context in
            let member = try await pages.member(context, .writePosts)
            let form = try await pages.form(request, context)
            let id = try mediaID(context)
            do {
                _ = try await pages.media.update(id: id, organizationID: member.id, name: form["name"], alt: .some(form["alt"]), thumbnailAtMs: nil,
                                                 requestID: context.requestID)
                return WebSessionMiddleware.redirect(to: member.path + "/media?done=media_saved")
            } catch let error as APIError where error.status == .unprocessableContent {
                let error = pages.renderer.localized(error, request)
                return try await page(request, member: member, ["error": error.fields.map { $0.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ") } ?? error.message],
                                      status: error.status)
            }
        }
        group.post("media/:media/delete") { request, context in
            let member = try await pages.member(context, .writePosts)
            _ = try await pages.form(request, context)
            do {
                try await pages.media.delete(id: try mediaID(context), organizationID: member.id, force: false, by: context.userID, origin: context.origin(request))
                return WebSessionMiddleware.redirect(to: member.path + "/media?done=media_deleted")
            } catch let error as APIError where error.status == .conflict {
                let error = pages.renderer.localized(error, request)
                return try await page(request, member: member, ["error": error.message], status: error.status)
            }
        }
    }

    private func mediaID(_ context: AuthenticatedContext) throws -> UUID {
        guard let id = UUID(uuidString: try context.parameters.require("media")) else { throw APIError.notFound("media") }
        return id
    }

    private func page(_ request: Request, member: WebPages.MemberPage, _ values: [String: Any], status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = pages.renderer.assets.catalogue.table(pages.renderer.language(request))
        let pageNumber = request.uri.queryParameters["page"].flatMap { Int($0) }.map { min(max($0, 1), 10_000) } ?? 1
        let filter = MediaRepository.Filter(page: pageNumber, perPage: Self.perPage)
        let (files, total) = try await pages.media.media.list(organizationID: member.id, filter: filter, client: pages.media.database)
        let used = try await pages.media.media.bytesUsed(organizationID: member.id, client: pages.media.database)
        let quota = pages.media.limits.quotaBytesPerOrganization
        let writes = member.role.includes(Permission.writePosts.minimumRole)
        var values = values
        values["nav_media"] = true
        values["writes"] = writes
        values["has_media"] = !files.isEmpty
        values["media"] = try await pages.media.json(files).map { file in
            PageRenderer.values([
                "id": file.id.uuidString.lowercased(), "name": file.name, "alt": file.alt, "url": pages.sitePath(file.url),
                "preview": pages.sitePath(file.kind == .image ? file.url : file.thumbnailURL),
                "size": Self.bytes(file.sizeBytes),
                "dimensions": file.width.flatMap { width in file.height.map { "\(width) × \($0)" } },
                "duration": file.durationMs.map { String(format: "%.1f s", Double($0) / 1000) },
                "pending": file.processing == "pending", "failed": file.processing == "failed", "problem": file.processingError,
                "writes": writes,
            ])
        }
        values["usage"] = pages.renderer.text("media_usage", request, ["used": Self.bytes(used), "quota": Self.bytes(quota)])
        values["used_percent"] = quota > 0 ? min(100, used * 100 / quota) : 0
        values["limits"] = pages.renderer.text("media_limits", request, [
            "image": Self.bytes(pages.media.limits.maxImageBytes), "video": Self.bytes(pages.media.limits.maxVideoBytes),
        ])
        values["newer"] = pageNumber > 1 ? "media?page=\(pageNumber - 1)" : nil
        values["older"] = pageNumber * Self.perPage < total ? "media?page=\(pageNumber + 1)" : nil
        return pages.renderer.render("media", values, request: request, viewer: member.viewer, title: t["media_title"] ?? "Media", status: status)
    }

    /// A size as `1.2 MB`.
    static func bytes(_ count: Int) -> String {
        let formatter = ByteCountFormatter()
        formatter.countStyle = .binary
        formatter.allowedUnits = [.useKB, .useMB, .useGB]
        return formatter.string(fromByteCount: Int64(count))
    }
}
