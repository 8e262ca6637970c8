import Foundation
import Logging
import PostgresNIO

/// Comments on post groups.
package struct CommentRepository: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    static let columns = "id, group_id, author_id, author_name, via_preview, body, created_at"

    package func create(organizationID: UUID, groupID: UUID, authorID: UUID?, authorName: String, viaPreview: Bool, body: String,
                        on connection: PostgresConnection) async throws -> Comment {
        let rows = try await connection.query(
            """
            INSERT INTO post_comments (organization_id, group_id, author_id, author_name, via_preview, body)
            VALUES (\(organizationID), \(groupID), \(authorID), \(authorName), \(viaPreview), \(body)) RETURNING \(unescaped: Self.columns)
            """,
            logger: logger
        )
        guard let comment = try await Self.decode(rows).first else { throw PostgresDecodingError.Code.missingData }
        return comment
    }

    /// The group's comments, oldest first.
    package func list(organizationID: UUID, groupID: UUID, client: Database) async throws -> [Comment] {
        try await Self.decode(client.query(
            """
            SELECT \(unescaped: Self.columns) FROM post_comments
            WHERE organization_id = \(organizationID) AND group_id = \(groupID) AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1000
            """,
            logger: logger
        ))
    }

    /// Deletes a comment of the group, only if `authorID` wrote it or `anyAuthor`; returns whether it did.
    package func delete(id: UUID, organizationID: UUID, groupID: UUID, authorID: UUID, anyAuthor: Bool, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE post_comments SET deleted_at = now()
            WHERE id = \(id) AND organization_id = \(organizationID) AND group_id = \(groupID) AND deleted_at IS NULL
              AND (\(anyAuthor) OR author_id = \(authorID))
            RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    private static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [Comment] {
        var comments: [Comment] = []
        for try await row in rows.decode((UUID, UUID, UUID?, String, Bool, String, Date).self) {
            comments.append(Comment(id: row.0, groupID: row.1, authorID: row.2, authorName: row.3, viaPreview: row.4, body: row.5, createdAt: row.6))
        }
        return comments
    }
}
