import ArkyraCore
import Foundation
import Logging
import NIOCore

/// The media library: takes staged uploads into the storage (once per content within an organization),
/// lists, renames and deletes them, and hands out URLs to read them.
struct MediaService: Sendable {
    let database: Database
    let media: MediaRepository
    /// Which posts carry a file (a file in use is not deleted unless forced).
    let posts: PostRepository
    let audit: AuditRepository
    let storage: any MediaStorage
    /// The media queue: every new file is processed there (probe, thumbnail, derived files).
    let queue: JobQueue
    let limits: MediaLimits
    /// Where uploads are staged on their way in.
    let stagingFolder: String
    let logger: Logger
    /// How long the read URLs in answers stay valid.
    static let readURLLifetime: Duration = .seconds(24 * 3600)

    /// A file as the API shows it.
    struct MediaJSON: Encodable {
        var id: UUID
        var name: String
        var contentType: String
        var kind: MediaKind
        var sizeBytes: Int
        var sha256: String
        var alt: String?
        var url: String
        /// `pending` until the worker has probed it, then `ready` or `failed` (with `processing_error`).
        var processing: String
        var processingError: String?
        var width: Int?
        var height: Int?
        var durationMs: Int?
        var videoCodec: String?
        var audioCodec: String?
        var thumbnailURL: String?
        var thumbnailAtMs: Int?
        /// What was derived for platforms that demand a format: `jpeg`, `mp4`.
        var variants: [VariantJSON]
        var createdAt: Date
        var updatedAt: Date
    }

    struct VariantJSON: Encodable {
        var name: String
        var contentType: String
        var sizeBytes: Int
        var width: Int?
        var height: Int?
        var url: String
    }

    func json(_ file: MediaRepository.Media, variants: [MediaRepository.Variant] = []) -> MediaJSON {
        let url = { (key: String) in storage.readURL(key: key, lifetime: Self.readURLLifetime) }
        return MediaJSON(
            id: file.id, name: file.name, contentType: file.contentType, kind: file.kind, sizeBytes: file.sizeBytes, sha256: file.sha256,
            alt: file.alt, url: url(file.storageKey), processing: file.processing, processingError: file.processingError, width: file.width,
            height: file.height, durationMs: file.durationMs, videoCodec: file.videoCodec, audioCodec: file.audioCodec,
            thumbnailURL: file.thumbnailKey.map(url), thumbnailAtMs: file.thumbnailAtMs,
            variants: variants.map { VariantJSON(name: $0.name, contentType: $0.contentType, sizeBytes: $0.sizeBytes, width: $0.width, height: $0.height, url: url($0.storageKey)) },
            createdAt: file.createdAt, updatedAt: file.updatedAt
        )
    }

    /// `files` as the API shows them, with their derived files.
    func json(_ files: [MediaRepository.Media]) async throws -> [MediaJSON] {
        let variants = try await media.variants(of: files.map(\.id), client: database)
        return files.map { json($0, variants: variants[$0.id] ?? []) }
    }

    /// A new staging file for an upload of `organizationID`'s; with a store that takes streamed uploads (S3),
    /// the bytes go to the bucket under a fresh key as they arrive instead.
    func stage(organizationID: UUID) async throws -> MediaStaging {
        guard storage.streamingPartSize > 0 else { return try await MediaStaging(folder: stagingFolder, limits: limits) }
        let storage = self.storage
        return try await MediaStaging(folder: stagingFolder, limits: limits, partSize: storage.streamingPartSize) { format in
            let key = Self.newKey(organizationID: organizationID, format: format)
            guard let upload = try await storage.streamingUpload(key: key, contentType: format.mimeType) else { return nil }
            return (key, upload)
        }
    }

    /// Takes a staged file into the library: the organization's existing file when it has the same content,
    /// else a new one stored under a fresh key. The staged file is deleted either way.
    /// - Returns: the file and whether it is new.
    /// - Throws: 413 past the organization's quota; 503 when the storage fails (nothing is left behind).
    /// - Parameter storedAt: the key the file is already stored under (a direct upload), which is kept or,
    ///   for a duplicate, deleted.
    func ingest(_ staged: MediaStaging.File, name: String?, organizationID: UUID, by userID: UUID?, origin: RequestOrigin, storedAt: String? = nil) async throws
        -> (media: MediaRepository.Media, created: Bool) {
        do {
            let result = try await keep(staged, name: name, organizationID: organizationID, by: userID, origin: origin, storedAt: storedAt ?? staged.storedAt)
            await MediaStaging.remove(staged)
            return result
        } catch {
            await MediaStaging.remove(staged)
            throw error
        }
    }

    private func keep(_ staged: MediaStaging.File, name: String?, organizationID: UUID, by userID: UUID?, origin: RequestOrigin, storedAt: String?) async throws
        -> (media: MediaRepository.Media, created: Bool) {
        if let existing = try await media.find(sha256: staged.sha256, organizationID: organizationID, client: database) {
            if let storedAt { try? await storage.delete(key: storedAt) }
            return (existing, false)
        }
        let used = try await media.bytesUsed(organizationID: organizationID, client: database)
        guard used + staged.size <= limits.quotaBytesPerOrganization else {
            if let storedAt { try? await storage.delete(key: storedAt) }
            throw APIError(.contentTooLarge, "storage_quota_exceeded",
                           "this organization's media would take \(Self.megabytes(used + staged.size)) of its \(Self.megabytes(limits.quotaBytesPerOrganization)); delete files or raise ARKYRA_MEDIA_QUOTA_MB")
        }
        let key = storedAt ?? Self.newKey(organizationID: organizationID, format: staged.format)
        do {
            if storedAt == nil { try await storage.store(file: staged.path, size: staged.size, key: key, contentType: staged.format.mimeType) }
        } catch {
            logger.error("storing an upload failed", metadata: ["error": "\(error)", "key": "\(key)"])
            throw APIError(.serviceUnavailable, "storage_unavailable", "the media storage did not take the file; try again shortly", headers: ["Retry-After": "5"])
        }
        let file = MediaRepository.NewMedia(
            organizationID: organizationID, name: Self.displayName(name, format: staged.format), format: staged.format, sizeBytes: staged.size,
            sha256: staged.sha256, storageKey: key, uploadedBy: userID
        )
        do {
            let created = try await media.insert(file, client: database)
            try await database.inTransaction(logger: logger) { connection in
                try await audit.record(AuditEvent(organizationID: organizationID, actorUserID: userID, action: "media.uploaded", targetType: "media",
                                                  targetID: created.id.uuidString, origin: origin), on: connection)
            }
            // Should Redis fail here, the file stays `pending` until cron's MediaReconciler queues it again.
            do {
                try await queue.schedule(MediaJob(mediaID: created.id, organizationID: organizationID).job(requestID: origin.requestID), at: Date())
            } catch {
                logger.error("a new file was not queued for processing", metadata: ["media_id": "\(created.id)", "error": "\(error)"])
            }
            return (created, true)
        } catch RepositoryError.conflict {
            // The same content arrived twice at once: keep the first.
            try? await storage.delete(key: key)
            guard let existing = try await media.find(sha256: staged.sha256, organizationID: organizationID, client: database) else { throw APIError.serviceUnavailable }
            return (existing, false)
        } catch {
            try? await storage.delete(key: key)
            throw error
        }
    }

    /// Deletes a file, its thumbnail and its derived files. Posts that have not gone out keep it from being
    /// deleted (409 naming how many) unless `force` (they then go without it); one being published always does.
    /// Renames a file, sets or removes (nil or empty) its alt text, or picks a video's thumbnail frame (made
    /// again by the worker). Only what is given changes.
    /// - Throws: 422 naming each field out of bounds; 404 for a file of another organization.
    func update(id: UUID, organizationID: UUID, name rawName: String?, alt rawAlt: String??, thumbnailAtMs: Int?, requestID: String?) async throws -> MediaRepository.Media {
        var fields: [String: String] = [:]
        let name = rawName?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let name, !(1...255).contains(name.count) { fields["name"] = "must be 1 to 255 characters" }
        let alt: String?? = rawAlt.map { text in text.flatMap { $0.isEmpty ? nil : $0 } }
        if let text = alt ?? nil, text.count > 1500 { fields["alt"] = "must be at most 1500 characters" }
        if let at = thumbnailAtMs {
            guard let current = try await media.find(id: id, organizationID: organizationID, client: database) else { throw APIError.notFound("media") }
            if current.kind != .video {
                fields["thumbnail_at_ms"] = "applies to videos only"
            } else if at < 0 || at > (current.durationMs ?? Int.max) {
                fields["thumbnail_at_ms"] = current.durationMs.map { "must be 0 to \($0) (the video's length in milliseconds)" } ?? "must be at least 0"
            }
        }
        guard fields.isEmpty else { throw APIError.validation(fields) }
        guard let file = try await media.update(id: id, organizationID: organizationID, name: name, alt: alt, thumbnailAtMs: thumbnailAtMs, client: database) else {
            throw APIError.notFound("media")
        }
        if thumbnailAtMs != nil, file.processing == "ready" {
            try await queue.schedule(MediaJob(mediaID: file.id, organizationID: organizationID, thumbnailOnly: true).job(requestID: requestID), at: Date())
        }
        return file
    }

    func delete(id: UUID, organizationID: UUID, force: Bool, by userID: UUID?, origin: RequestOrigin) async throws {
        let pending = try await posts.uses(ofMedia: id, organizationID: organizationID, client: database)
            .filter { [.draft, .waiting, .scheduled, .publishing].contains($0.state) }
        if pending.contains(where: { $0.state == .publishing }) {
            throw APIError(.conflict, "media_publishing", "a post carrying this file is being published right now; try again in a minute")
        }
        if !pending.isEmpty, !force {
            throw APIError(.conflict, "media_in_use",
                           "\(pending.count) post(s) that have not gone out carry this file; see GET …/media/\(id)/posts, or delete with ?force=true to remove it from them")
        }
        let derived = try await media.variants(of: [id], client: database)[id] ?? []
        guard let removed = try await media.delete(id: id, organizationID: organizationID, client: database) else { throw APIError.notFound("media") }
        try await database.inTransaction(logger: logger) { connection in
            try await audit.record(AuditEvent(organizationID: organizationID, actorUserID: userID, action: "media.deleted", targetType: "media",
                                              targetID: id.uuidString, origin: origin), on: connection)
        }
        for key in [removed.storageKey, removed.thumbnailKey].compactMap({ $0 }) + derived.map(\.storageKey) {
            do {
                try await storage.delete(key: key)
            } catch {
                logger.warning("a deleted file's object stays in the storage", metadata: ["key": "\(key)", "error": "\(error)"])
            }
        }
    }

    /// A fresh storage key in the organization's folder.
    static func newKey(organizationID: UUID, format: MediaFormat?) -> String {
        "\(organizationID.uuidString.lowercased())/\(UUID().uuidString.lowercased())" + (format.map { ".\($0.fileExtension)" } ?? "")
    }

    /// A name people recognise: the uploaded file's last path component without control characters, at
    /// most 255 characters, else `upload.EXT`.
    static func displayName(_ given: String?, format: MediaFormat) -> String {
        let last = (given ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(last.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.map(Character.init))
            .trimmingCharacters(in: .whitespaces)
        return cleaned.isEmpty ? "upload.\(format.fileExtension)" : String(cleaned.prefix(255))
    }

    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / (1024 * 1024))
    }
}
