import Foundation
import PostgresNIO

extension PostRepository {
    /// A page of scheduled posts due before `until`, in id order after `after` (the cursor is the id alone:
    /// a timestamp sent back to PostgreSQL may not compare equal to the one it came from).
    package func scheduled(dueBefore until: Date, after: UUID?, limit: Int, client: Database) async throws -> [(id: UUID, organizationID: UUID, publishAt: Date)] {
        let start = after ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        let rows = try await client.query(
            """
            SELECT id, organization_id, publish_at FROM posts
            WHERE state = 'scheduled' AND deleted_at IS NULL AND publish_at < \(until) AND id > \(start)
            ORDER BY id LIMIT \(limit)
            """,
            logger: logger
        )
        var result: [(UUID, UUID, Date)] = []
        for try await row in rows.decode((UUID, UUID, Date).self) { result.append(row) }
        return result
    }

    /// A page of posts that have been `publishing` since before `before` (their worker and job are gone), in
    /// id order after `after`.
    package func stuckPublishing(since before: Date, limit: Int, after: UUID? = nil, client: Database)
        async throws -> [(id: UUID, organizationID: UUID, owner: String?)] {
        let start = after ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        let rows = try await client.query(
            """
            SELECT id, organization_id, lease_owner FROM posts
            WHERE state = 'publishing' AND deleted_at IS NULL AND updated_at < \(before) AND id > \(start)
            ORDER BY id LIMIT \(limit)
            """,
            logger: logger
        )
        var result: [(UUID, UUID, String?)] = []
        for try await row in rows.decode((UUID, UUID, String?).self) { result.append(row) }
        return result
    }

    /// Up to `limit` posts whose take-down from their platform was asked before `before` and is still waiting.
    package func removalsWaiting(since before: Date, limit: Int, client: Database) async throws -> [(id: UUID, organizationID: UUID)] {
        let rows = try await client.query(
            """
            SELECT id, organization_id FROM posts
            WHERE platform_removal->>'state' = 'requested' AND deleted_at IS NULL AND updated_at < \(before)
            ORDER BY updated_at LIMIT \(limit)
            """,
            logger: logger
        )
        var result: [(UUID, UUID)] = []
        for try await row in rows.decode((UUID, UUID).self) { result.append(row) }
        return result
    }
}

extension PostRepository {
    /// The worker that holds a post, if any.
    package func leaseOwner(id: UUID, client: Database) async throws -> String? {
        let rows = try await client.query("SELECT lease_owner FROM posts WHERE id = \(id)", logger: logger)
        for try await owner in rows.decode(String?.self) { return owner }
        return nil
    }
}
