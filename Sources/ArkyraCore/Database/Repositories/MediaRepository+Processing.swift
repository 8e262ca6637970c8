import Foundation
import PostgresNIO

/// What processing writes: the probed facts, the thumbnail and the derived files.
extension MediaRepository {
    /// A file derived from an original.
    package struct Variant: Sendable, Codable, Equatable {
        package var name: String
        package var storageKey: String
        package var contentType: String
        package var sizeBytes: Int
        package var width: Int?
        package var height: Int?

        package init(name: String, storageKey: String, contentType: String, sizeBytes: Int, width: Int?, height: Int?) {
            self.name = name
            self.storageKey = storageKey
            self.contentType = contentType
            self.sizeBytes = sizeBytes
            self.width = width
            self.height = height
        }
    }

    /// Any file with this id, whatever its organization (the worker's view; the job names the file).
    package func find(id: UUID, client: Database) async throws -> Media? {
        try await decode(client.query("SELECT \(unescaped: Self.columns) FROM media WHERE id = \(id)", logger: logger)).first
    }

    /// Records what processing found and made; false when the file is gone.
    package func markReady(id: UUID, probe: MediaProbe, thumbnailKey: String?, variants: [Variant], client: Database) async throws -> Bool {
        try await client.inTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                UPDATE media SET processing = 'ready', processing_error = NULL, width = \(probe.displayWidth), height = \(probe.displayHeight),
                       duration_ms = \(probe.durationMs), video_codec = \(probe.videoCodec), audio_codec = \(probe.audioCodec),
                       thumbnail_key = \(thumbnailKey), updated_at = now()
                WHERE id = \(id) RETURNING id
                """,
                logger: logger
            )
            var found = false
            for try await _ in rows.decode(UUID.self) { found = true }
            guard found else { return false }
            for variant in variants {
                try await connection.query(
                    """
                    INSERT INTO media_variants (media_id, name, storage_key, content_type, size_bytes, width, height)
                    VALUES (\(id), \(variant.name), \(variant.storageKey), \(variant.contentType), \(variant.sizeBytes), \(variant.width), \(variant.height))
                    ON CONFLICT (media_id, name) DO UPDATE SET storage_key = excluded.storage_key, content_type = excluded.content_type,
                        size_bytes = excluded.size_bytes, width = excluded.width, height = excluded.height
                    """,
                    logger: logger
                )
            }
            return true
        }
    }

    /// Points a file at a new thumbnail; returns the key it replaced (nil when the file is gone).
    package func replaceThumbnail(id: UUID, key: String, client: Database) async throws -> String?? {
        let rows = try await client.query(
            """
            UPDATE media m SET thumbnail_key = \(key), updated_at = now() FROM (SELECT id, thumbnail_key FROM media WHERE id = \(id) FOR UPDATE) old
            WHERE m.id = old.id RETURNING old.thumbnail_key
            """,
            logger: logger
        )
        for try await previous in rows.decode(String?.self) { return .some(previous) }
        return nil
    }

    /// Records that the file cannot be processed, and why (for the person who uploaded it).
    package func markFailed(id: UUID, error: String, client: Database) async throws {
        try await client.query(
            "UPDATE media SET processing = 'failed', processing_error = \(String(error.prefix(500))), updated_at = now() WHERE id = \(id)", logger: logger
        )
    }

    /// The derived files of `ids`, by file.
    package func variants(of ids: [UUID], client: Database) async throws -> [UUID: [Variant]] {
        var result: [UUID: [Variant]] = [:]
        let rows = try await client.query(
            "SELECT media_id, name, storage_key, content_type, size_bytes, width, height FROM media_variants WHERE media_id = ANY(\(ids)::uuid[]) ORDER BY name",
            logger: logger
        )
        for try await (id, name, key, type, size, width, height) in rows.decode((UUID, String, String, String, Int, Int?, Int?).self) {
            result[id, default: []].append(Variant(name: name, storageKey: key, contentType: type, sizeBytes: size, width: width, height: height))
        }
        return result
    }
}

extension MediaRepository {
    /// Files still `pending` whose last change is between `oldest` and `newest` (the reconciler's view).
    package func pending(changedBetween oldest: Date, and newest: Date, limit: Int, client: Database) async throws -> [(id: UUID, organizationID: UUID)] {
        let rows = try await client.query(
            """
            SELECT id, organization_id FROM media WHERE processing = 'pending' AND updated_at >= \(oldest) AND updated_at < \(newest)
            ORDER BY updated_at LIMIT \(limit)
            """,
            logger: logger
        )
        var found: [(UUID, UUID)] = []
        for try await (id, organization) in rows.decode((UUID, UUID).self) { found.append((id, organization)) }
        return found
    }

    /// Marks every file still `pending` since before `cutoff` failed, with `reason`; returns how many.
    package func failPending(changedBefore cutoff: Date, reason: String, client: Database) async throws -> Int {
        let rows = try await client.query(
            """
            WITH failed AS (
                UPDATE media SET processing = 'failed', processing_error = \(reason), updated_at = now()
                WHERE processing = 'pending' AND updated_at < \(cutoff) RETURNING 1
            ) SELECT count(*)::int FROM failed
            """,
            logger: logger
        )
        var count = 0
        for try await value in rows.decode(Int.self) { count = value }
        return count
    }
}
