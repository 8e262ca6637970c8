import Foundation
import PostgresNIO

/// Post groups made from a template group (the series workflow's occurrences).
extension PostRepository {
    /// The template group's variants as new posts: each first post with its thread items (their delays) and files.
    package func template(of groupID: UUID, organizationID: UUID, client: Database) async throws -> [NewPost] {
        let posts = try await attachMedia(to: group(groupID, organizationID: organizationID, client: client), client: client)
        let rows = try await client.query(
            "SELECT id, delay_seconds FROM posts WHERE group_id = \(groupID) AND organization_id = \(organizationID) AND parent_id IS NOT NULL",
            logger: logger
        )
        var delays: [UUID: Int] = [:]
        for try await (id, delay) in rows.decode((UUID, Int).self) { delays[id] = delay }
        return posts.filter { $0.parentID == nil }.map { head in
            var thread: [ThreadItem] = []
            var parent = head.id
            while let next = posts.first(where: { $0.parentID == parent }) {
                thread.append(ThreadItem(content: next.content, delaySeconds: delays[next.id] ?? 0, mediaIDs: next.mediaIDs))
                parent = next.id
            }
            return NewPost(integrationID: head.integrationID, content: head.content, thread: thread, mediaIDs: head.mediaIDs)
        }
    }

    /// Whether group `groupID` has posts (deleted ones count: an occurrence someone deleted is not made again),
    /// after taking the group's transaction lock, so that two attempts to make it wait for each other.
    package func lockGroupCreation(_ groupID: UUID, on connection: PostgresConnection) async throws -> Bool {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(groupID.uuidString)))", logger: logger)
        let rows = try await connection.query("SELECT 1 FROM posts WHERE group_id = \(groupID) LIMIT 1", logger: logger)
        for try await _ in rows { return true }
        return false
    }
}
