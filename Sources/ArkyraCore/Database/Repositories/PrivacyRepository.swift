import Foundation
import Logging
import PostgresNIO

/// Everything stored about a person or an organization, for export (GDPR access and portability), and
/// their erasure. Secrets (password hashes, token hashes, encrypted platform tokens) are never exported.
package struct PrivacyRepository: Sendable {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    /// The user's data as a JSON document.
    package func exportUser(_ userID: UUID, client: Database) async throws -> String {
        try await single(client.query(
            """
            SELECT jsonb_build_object(
                'exported_at', now(),
                'user', (SELECT to_jsonb(u) - 'password_hash' FROM users u WHERE u.id = \(userID)),
                'memberships', (SELECT coalesce(jsonb_agg(jsonb_build_object('organization_id', m.organization_id, 'organization', o.name,
                                'role', m.role, 'joined_at', m.created_at) ORDER BY m.created_at), '[]'::jsonb)
                                FROM memberships m JOIN organizations o ON o.id = m.organization_id WHERE m.user_id = \(userID)),
                'sessions', (SELECT coalesce(jsonb_agg(to_jsonb(s) ORDER BY s.created_at), '[]'::jsonb) FROM sessions s WHERE s.user_id = \(userID)),
                'posts_written', (SELECT coalesce(jsonb_agg(to_jsonb(p) ORDER BY p.created_at), '[]'::jsonb) FROM posts p WHERE p.created_by = \(userID)),
                'invitations_sent', (SELECT coalesce(jsonb_agg(to_jsonb(i) - 'token_hash' ORDER BY i.created_at), '[]'::jsonb)
                                     FROM invitations i WHERE i.invited_by = \(userID)),
                'audit_events', (SELECT coalesce(jsonb_agg(to_jsonb(a) ORDER BY a.id), '[]'::jsonb) FROM audit_events a WHERE a.actor_user_id = \(userID))
            )::text
            """,
            logger: logger
        ))
    }

    /// The organization's data as a JSON document.
    package func exportOrganization(_ organizationID: UUID, client: Database) async throws -> String {
        try await single(client.query(
            """
            SELECT jsonb_build_object(
                'exported_at', now(),
                'organization', (SELECT to_jsonb(o) FROM organizations o WHERE o.id = \(organizationID)),
                'members', (SELECT coalesce(jsonb_agg(jsonb_build_object('user_id', u.id, 'email', u.email, 'name', u.name, 'role', m.role,
                            'joined_at', m.created_at) ORDER BY m.created_at), '[]'::jsonb)
                            FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.organization_id = \(organizationID)),
                'integrations', (SELECT coalesce(jsonb_agg(to_jsonb(i) - 'access_token_encrypted' - 'refresh_token_encrypted' ORDER BY i.created_at), '[]'::jsonb)
                                 FROM integrations i WHERE i.organization_id = \(organizationID)),
                'posts', (SELECT coalesce(jsonb_agg(to_jsonb(p) ORDER BY p.created_at, p.position), '[]'::jsonb) FROM posts p WHERE p.organization_id = \(organizationID)),
                'tags', (SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY t.name), '[]'::jsonb) FROM tags t WHERE t.organization_id = \(organizationID)),
                'post_tags', (SELECT coalesce(jsonb_agg(to_jsonb(pt)), '[]'::jsonb) FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
                              WHERE t.organization_id = \(organizationID)),
                'api_keys', (SELECT coalesce(jsonb_agg(to_jsonb(k) - 'key_hash' ORDER BY k.created_at), '[]'::jsonb) FROM api_keys k WHERE k.organization_id = \(organizationID)),
                'invitations', (SELECT coalesce(jsonb_agg(to_jsonb(i) - 'token_hash' ORDER BY i.created_at), '[]'::jsonb) FROM invitations i WHERE i.organization_id = \(organizationID)),
                'notifications', (SELECT coalesce(jsonb_agg(to_jsonb(n) ORDER BY n.created_at), '[]'::jsonb) FROM notifications n WHERE n.organization_id = \(organizationID)),
                'dead_jobs', (SELECT coalesce(jsonb_agg(to_jsonb(d) ORDER BY d.created_at), '[]'::jsonb) FROM dead_jobs d WHERE d.organization_id = \(organizationID)),
                'audit_events', (SELECT coalesce(jsonb_agg(to_jsonb(a) ORDER BY a.id), '[]'::jsonb) FROM audit_events a WHERE a.organization_id = \(organizationID))
            )::text
            """,
            logger: logger
        ))
    }

    /// The organizations where `userID` is the owner, with how many other members each has.
    package func ownedOrganizations(of userID: UUID, on connection: PostgresConnection) async throws -> [(id: UUID, otherMembers: Int)] {
        let rows = try await connection.query(
            """
            SELECT m.organization_id, (SELECT count(*)::int FROM memberships o WHERE o.organization_id = m.organization_id AND o.user_id <> \(userID))
            FROM memberships m WHERE m.user_id = \(userID) AND m.role = 'owner' FOR UPDATE
            """,
            logger: logger
        )
        var owned: [(UUID, Int)] = []
        for try await row in rows.decode((UUID, Int).self) { owned.append(row) }
        return owned
    }

    /// The ids of the organization's posts that have a publish job waiting (to cancel it).
    package func scheduledPosts(of organizationID: UUID, on connection: PostgresConnection) async throws -> [UUID] {
        let rows = try await connection.query(
            "SELECT id FROM posts WHERE organization_id = \(organizationID) AND state IN ('scheduled', 'publishing')", logger: logger
        )
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }

    /// Erases an organization and everything it owns (channels, posts, keys, logs: they cascade).
    package func deleteOrganization(_ organizationID: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("DELETE FROM organizations WHERE id = \(organizationID)", logger: logger)
    }

    /// Erases a user: their sessions and memberships cascade; what they wrote stays with its organization
    /// without their name, and their address and browser are removed from the audit log.
    package func deleteUser(_ userID: UUID, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE audit_events SET ip = NULL, user_agent = NULL WHERE actor_user_id = \(userID)", logger: logger
        )
        try await connection.query("DELETE FROM users WHERE id = \(userID)", logger: logger)
    }

    private func single(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> String {
        for try await text in rows.decode(String.self) { return text }
        throw PostgresDecodingError.Code.missingData
    }
}
