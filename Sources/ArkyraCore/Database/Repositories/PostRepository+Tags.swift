import Foundation
import PostgresNIO

/// Tags on posts: named per organization, created as they are first used.
extension PostRepository {
    /// Tags `postIDs` with the organization's tags named `names`, creating the missing ones.
    package func tag(_ postIDs: [UUID], with names: [String], organizationID: UUID, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO tags (organization_id, name) SELECT \(organizationID), name FROM unnest(\(names)::text[]) AS name
            ON CONFLICT (organization_id, lower(name)) WHERE deleted_at IS NULL DO NOTHING
            """,
            logger: logger
        )
        try await connection.query(
            """
            INSERT INTO post_tags (post_id, tag_id)
            SELECT post.id, t.id FROM unnest(\(postIDs)::uuid[]) AS post(id)
            CROSS JOIN tags t WHERE t.organization_id = \(organizationID) AND t.deleted_at IS NULL AND lower(t.name) = ANY(\(names.map { $0.lowercased() })::text[])
            ON CONFLICT DO NOTHING
            """,
            logger: logger
        )
    }

    /// The tag names of each of `postIDs` (posts without tags are left out).
    package func tagNames(of postIDs: [UUID], client: Database) async throws -> [UUID: [String]] {
        let rows = try await client.query(
            """
            SELECT pt.post_id, t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
            WHERE pt.post_id = ANY(\(postIDs)::uuid[]) AND t.deleted_at IS NULL ORDER BY t.name
            """,
            logger: logger
        )
        var names: [UUID: [String]] = [:]
        for try await (postID, name) in rows.decode((UUID, String).self) { names[postID, default: []].append(name) }
        return names
    }

    /// The organization's tag names, alphabetically (at most 500).
    package func tagNames(organizationID: UUID, client: Database) async throws -> [String] {
        let rows = try await client.query(
            "SELECT name FROM tags WHERE organization_id = \(organizationID) AND deleted_at IS NULL ORDER BY lower(name) LIMIT 500",
            logger: logger
        )
        var names: [String] = []
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }
}
