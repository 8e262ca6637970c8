import Foundation
import Logging
import PostgresNIO

/// The media library: an organization's uploaded files, one row per distinct content.
package struct MediaRepository: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    /// A file in the library.
    package struct Media: Sendable, Codable, Equatable {
        package var id: UUID
        package var organizationID: UUID
        package var name: String
        package var contentType: String
        package var kind: MediaKind
        package var sizeBytes: Int
        package var sha256: String
        package var storageKey: String
        package var alt: String?
        package var createdAt: Date
        package var updatedAt: Date
        /// `pending` until the worker probed it, then `ready` or `failed` (with ``processingError``).
        package var processing: String
        package var processingError: String?
        package var width: Int?
        package var height: Int?
        package var durationMs: Int?
        package var videoCodec: String?
        package var audioCodec: String?
        package var thumbnailKey: String?
        package var thumbnailAtMs: Int?
    }

    /// A new file's facts.
    package struct NewMedia: Sendable {
        package var organizationID: UUID
        package var name: String
        package var format: MediaFormat
        package var sizeBytes: Int
        package var sha256: String
        package var storageKey: String
        package var uploadedBy: UUID?

        package init(organizationID: UUID, name: String, format: MediaFormat, sizeBytes: Int, sha256: String, storageKey: String, uploadedBy: UUID?) {
            self.organizationID = organizationID
            self.name = name
            self.format = format
            self.sizeBytes = sizeBytes
            self.sha256 = sha256
            self.storageKey = storageKey
            self.uploadedBy = uploadedBy
        }
    }

    static let columns = """
        id, organization_id, name, content_type, kind, size_bytes, sha256, storage_key, alt, created_at, updated_at, processing, processing_error,
        width, height, duration_ms, video_codec, audio_codec, thumbnail_key, thumbnail_at_ms
        """

    /// Adds a file.
    /// - Throws: ``RepositoryError/conflict(_:)`` (`media_content_key`) when the organization has the same content.
    package func insert(_ media: NewMedia, client: Database) async throws -> Media {
        try await mappingConflicts {
            try await decode(client.query(
                """
                INSERT INTO media (organization_id, name, content_type, kind, size_bytes, sha256, storage_key, uploaded_by)
                VALUES (\(media.organizationID), \(media.name), \(media.format.mimeType), \(media.format.kind.rawValue), \(media.sizeBytes),
                        \(media.sha256), \(media.storageKey), \(media.uploadedBy))
                RETURNING \(unescaped: Self.columns)
                """,
                logger: logger
            )).first.unwrapped()
        }
    }

    package func find(id: UUID, organizationID: UUID, client: Database) async throws -> Media? {
        try await decode(client.query(
            "SELECT \(unescaped: Self.columns) FROM media WHERE id = \(id) AND organization_id = \(organizationID)", logger: logger
        )).first
    }

    /// The organization's files among `ids`.
    package func find(ids: [UUID], organizationID: UUID, client: Database) async throws -> [Media] {
        guard !ids.isEmpty else { return [] }
        return try await decode(client.query(
            "SELECT \(unescaped: Self.columns) FROM media WHERE id = ANY(\(ids)::uuid[]) AND organization_id = \(organizationID)", logger: logger
        ))
    }

    /// The files a post carries, in order.
    package func files(ofPost postID: UUID, client: Database) async throws -> [Media] {
        let columns = Self.columns.split(separator: ",").map { "m." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")
        return try await decode(client.query(
            "SELECT \(unescaped: columns) FROM post_media pm JOIN media m ON m.id = pm.media_id WHERE pm.post_id = \(postID) ORDER BY pm.position", logger: logger
        ))
    }

    /// The organization's file with this content, if any.
    package func find(sha256: String, organizationID: UUID, client: Database) async throws -> Media? {
        try await decode(client.query(
            "SELECT \(unescaped: Self.columns) FROM media WHERE sha256 = \(sha256) AND organization_id = \(organizationID)", logger: logger
        )).first
    }

    /// What to list.
    package struct Filter: Sendable {
        package var kind: MediaKind?
        /// Part of the name, any case.
        package var search: String?
        package var page = 1
        package var perPage = 30

        package init(kind: MediaKind? = nil, search: String? = nil, page: Int = 1, perPage: Int = 30) {
            self.kind = kind
            self.search = search
            self.page = page
            self.perPage = perPage
        }
    }

    /// A page of the library, newest first, and how many files match in all.
    package func list(organizationID: UUID, filter: Filter, client: Database) async throws -> (media: [Media], total: Int) {
        let pattern = filter.search.map { "%" + $0.lowercased().replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%" }
        let kind = filter.kind?.rawValue
        let media = try await decode(client.query(
            """
            SELECT \(unescaped: Self.columns) FROM media
            WHERE organization_id = \(organizationID) AND (\(kind)::text IS NULL OR kind = \(kind))
              AND (\(pattern)::text IS NULL OR lower(name) LIKE \(pattern))
            ORDER BY created_at DESC, id DESC LIMIT \(filter.perPage) OFFSET \((filter.page - 1) * filter.perPage)
            """,
            logger: logger
        ))
        var total = 0
        for try await count in try await client.query(
            """
            SELECT count(*)::int FROM media WHERE organization_id = \(organizationID) AND (\(kind)::text IS NULL OR kind = \(kind))
              AND (\(pattern)::text IS NULL OR lower(name) LIKE \(pattern))
            """,
            logger: logger
        ).decode(Int.self) { total = count }
        return (media, total)
    }

    /// Bytes the organization's files take.
    package func bytesUsed(organizationID: UUID, client: Database) async throws -> Int {
        var used = 0
        for try await bytes in try await client.query(
            "SELECT coalesce(sum(size_bytes), 0)::bigint FROM media WHERE organization_id = \(organizationID)", logger: logger
        ).decode(Int.self) { used = bytes }
        return used
    }

    /// Sets the name, the alt text (an empty alt removes it) and/or where a video's thumbnail is taken; nil
    /// when there is no such file.
    package func update(id: UUID, organizationID: UUID, name: String?, alt: String??, thumbnailAtMs: Int? = nil, client: Database) async throws -> Media? {
        let altGiven = alt != nil
        let altValue = alt ?? nil
        return try await decode(client.query(
            """
            UPDATE media SET name = coalesce(\(name), name), alt = CASE WHEN \(altGiven) THEN \(altValue) ELSE alt END,
                   thumbnail_at_ms = coalesce(\(thumbnailAtMs), thumbnail_at_ms), updated_at = now()
            WHERE id = \(id) AND organization_id = \(organizationID)
            RETURNING \(unescaped: Self.columns)
            """,
            logger: logger
        )).first
    }

    /// Deletes the row; returns it, for its storage key, or nil when there was none.
    package func delete(id: UUID, organizationID: UUID, client: Database) async throws -> Media? {
        try await decode(client.query(
            "DELETE FROM media WHERE id = \(id) AND organization_id = \(organizationID) RETURNING \(unescaped: Self.columns)", logger: logger
        )).first
    }

    func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [Media] {
        var media: [Media] = []
        for try await row in rows.decode((UUID, UUID, String, String, String, Int, String, String, String?, Date, Date, String, String?,
                                          Int?, Int?, Int?, String?, String?, String?, Int?).self) {
            media.append(Media(id: row.0, organizationID: row.1, name: row.2, contentType: row.3, kind: MediaKind(rawValue: row.4) ?? .image,
                               sizeBytes: row.5, sha256: row.6, storageKey: row.7, alt: row.8, createdAt: row.9, updatedAt: row.10,
                               processing: row.11, processingError: row.12, width: row.13, height: row.14, durationMs: row.15,
                               videoCodec: row.16, audioCodec: row.17, thumbnailKey: row.18, thumbnailAtMs: row.19))
        }
        return media
    }
}
