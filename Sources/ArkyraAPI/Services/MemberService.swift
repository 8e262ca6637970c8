import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// Members of an organization: invitations, roles, removal and the transfer of ownership. A member may only
/// manage members below their own role and grant roles up to their own; ownership is transferred, never granted.
struct MemberService: Sendable {
    let database: Database
    let organizations: OrganizationRepository
    let memberships: MembershipRepository
    let invitations: InvitationRepository
    let users: UserRepository
    let audit: AuditRepository
    let mailer: Mailer
    let limiter: RateLimiter
    let logger: Logger
    static let invitationLifetime: TimeInterval = 7 * 86_400
    /// Invitation emails one organization may send in an hour: ARKYRA's mail relay must not become a way to
    /// send strangers mail in bulk.
    static let invitationEmailsPerHour = 50

    /// A new invitation with its secret, which is shown only here.
    struct CreatedInvitation: Encodable {
        var invitation: Invitation
        var token: String
    }

    func members(organizationID: UUID) async throws -> [Member] {
        try await memberships.list(organizationID: organizationID, client: database)
    }

    func invite(organizationID: UUID, email rawEmail: String?, role rawRole: String, by actor: (id: UUID, role: Role),
                origin: RequestOrigin) async throws -> CreatedInvitation {
        var fields: [String: String] = [:]
        let email = rawEmail?.trimmingCharacters(in: .whitespaces)
        if let email, !AccountService.looksLikeEmail(email) { fields["email"] = "must be an email address (or leave it out for an invitation by link)" }
        let role = Role(rawValue: rawRole)
        if let role {
            if !actor.role.canGrant(role) { fields["role"] = role == .owner ? "ownership is transferred, not granted" : "cannot be above your own role (\(actor.role.rawValue))" }
        } else {
            fields["role"] = "must be one of: admin, editor, viewer"
        }
        guard fields.isEmpty, let role else { throw APIError.validation(fields) }
        if email != nil, mailer.enabled {
            let decision = try await limiter.hit("invitation-emails:\(organizationID)", limit: Self.invitationEmailsPerHour, window: .seconds(3600))
            guard decision.allowed else {
                throw APIError(.tooManyRequests, "too_many_invitation_emails",
                               "this organization has sent \(Self.invitationEmailsPerHour) invitation emails in the last hour; try again in \(decision.resetSeconds) s, or invite by link",
                               headers: ["Retry-After": String(decision.resetSeconds)])
            }
        }
        let token = SecretToken.generate(prefix: "inv_")
        let invitation = try await database.inTransaction(logger: logger) { connection in
            let invitation = try await invitations.create(
                organizationID: organizationID, email: email, role: role, tokenHash: SecretToken.hash(token), invitedBy: actor.id,
                expiresAt: Date().addingTimeInterval(Self.invitationLifetime), on: connection
            )
            try await audit.record(
                AuditEvent(organizationID: organizationID, actorUserID: actor.id, action: "invitation.created", targetType: "invitation",
                           targetID: invitation.id.uuidString, origin: origin),
                on: connection
            )
            if let email, mailer.enabled {
                let message = try await invitationEmail(to: email, role: role, token: token, organizationID: organizationID,
                                                        inviterID: actor.id, on: connection)
                try await mailer.send(message, origin: origin)
            }
            return invitation
        }
        return CreatedInvitation(invitation: invitation, token: token)
    }

    /// The invitation as an email: who invites, to which organization, with which role, and the link.
    private func invitationEmail(to email: String, role: Role, token: String, organizationID: UUID, inviterID: UUID,
                                 on connection: PostgresConnection) async throws -> EmailJob {
        let organization = try await organizations.find(id: organizationID, on: connection)?.name ?? "an organization"
        let inviter = try await users.find(id: inviterID, client: database)
        let who = inviter.map { $0.name.isEmpty ? $0.email : "\($0.name) (\($0.email))" } ?? "A member"
        return EmailJob(to: email, subject: "You are invited to \(organization) on ARKYRA", body: """
            \(who) invites you to join \(organization) on ARKYRA as \(role.rawValue).

            Open this link to accept (it works for 7 days, once, for this address):

            \(Self.invitationLink(publicURL: mailer.publicURL, token: token))

            Or, logged in as \(email), send {"token": "\(token)"} to POST \(mailer.publicURL)/api/v1/invitations/accept.
            If you do not know them, ignore this email.
            """)
    }

    /// The web app's page that accepts an invitation (it asks to log in or sign up first).
    static func invitationLink(publicURL: String, token: String) -> String {
        "\(publicURL)/app/invitations/accept?token=\(token)"
    }

    func pendingInvitations(organizationID: UUID) async throws -> [Invitation] {
        try await invitations.pending(organizationID: organizationID, client: database)
    }

    func revokeInvitation(_ id: UUID, organizationID: UUID, by actorID: UUID, origin: RequestOrigin) async throws {
        let event = AuditEvent(organizationID: organizationID, actorUserID: actorID, action: "invitation.revoked", targetType: "invitation",
                               targetID: id.uuidString, origin: origin)
        let revoked = try await audit.recordingIfChanged(event, database: database, logger: logger) { connection in
            try await invitations.revoke(id: id, organizationID: organizationID, on: connection)
        }
        if !revoked { throw APIError.notFound("invitation") }
    }

    /// Joins the invitation's organization with its role.
    /// - Throws: 404 for an unknown, used, revoked or expired invitation; 403 when it names another email;
    ///   409 when the user is a member already.
    func accept(token: String, userID: UUID, origin: RequestOrigin) async throws -> MemberOrganization {
        guard let user = try await users.find(id: userID, client: database) else { throw APIError.notFound("user") }
        return try await database.inTransaction(logger: logger) { connection in
            guard let invitation = try await invitations.lockPending(tokenHash: SecretToken.hash(token), on: connection) else {
                throw APIError(.notFound, "invitation_not_found", "this invitation does not exist, was used or revoked, or has expired")
            }
            if let email = invitation.email, email.lowercased() != user.email.lowercased() {
                throw APIError(.forbidden, "invitation_for_someone_else", "this invitation is for another email address")
            }
            guard try await memberships.add(userID: userID, organizationID: invitation.organizationID, role: invitation.role, on: connection) else {
                throw APIError(.conflict, "already_member", "you already belong to this organization")
            }
            try await invitations.markAccepted(id: invitation.id, by: userID, on: connection)
            try await audit.record(
                AuditEvent(organizationID: invitation.organizationID, actorUserID: userID, action: "member.joined", targetType: "user",
                           targetID: userID.uuidString, origin: origin),
                on: connection
            )
            guard let organization = try await organizations.list(forUser: userID, connection: connection)
                .first(where: { $0.organization.id == invitation.organizationID })
            else { throw APIError.notFound("organization") }
            return organization
        }
    }

    /// Gives `userID` a new role.
    func changeRole(of userID: UUID, to rawRole: String, organizationID: UUID, by actor: (id: UUID, role: Role), origin: RequestOrigin) async throws {
        guard let role = Role(rawValue: rawRole), role != .owner else {
            throw APIError.validation(["role": "must be one of: admin, editor, viewer (ownership is transferred)"])
        }
        guard actor.role.canGrant(role) else { throw APIError.validation(["role": "cannot be above your own role (\(actor.role.rawValue))"]) }
        try await database.inTransaction(logger: logger) { connection in
            let current = try await manageable(userID, organizationID: organizationID, by: actor, on: connection)
            guard current != role else { return }
            try await memberships.setRole(role, userID: userID, organizationID: organizationID, on: connection)
            try await audit.record(
                AuditEvent(organizationID: organizationID, actorUserID: actor.id, action: "member.role_changed", targetType: "user",
                           targetID: userID.uuidString, origin: origin),
                on: connection
            )
        }
    }

    /// Removes a member, or lets a member leave (anyone but the owner may leave).
    func remove(_ userID: UUID, organizationID: UUID, by actor: (id: UUID, role: Role), origin: RequestOrigin) async throws {
        try await database.inTransaction(logger: logger) { connection in
            if userID == actor.id {
                guard actor.role != .owner else {
                    throw APIError(.conflict, "owner_cannot_leave", "transfer ownership to another member before leaving")
                }
            } else {
                guard actor.role.includes(Permission.manageMembers.minimumRole) else {
                    throw APIError(.forbidden, "forbidden", "your role (\(actor.role.rawValue)) cannot remove members")
                }
                _ = try await manageable(userID, organizationID: organizationID, by: actor, on: connection)
            }
            try await memberships.remove(userID: userID, organizationID: organizationID, on: connection)
            try await audit.record(
                AuditEvent(organizationID: organizationID, actorUserID: actor.id, action: userID == actor.id ? "member.left" : "member.removed",
                           targetType: "user", targetID: userID.uuidString, origin: origin),
                on: connection
            )
        }
    }

    /// Makes another member the owner; the previous owner becomes an admin.
    func transferOwnership(to userID: UUID, organizationID: UUID, by ownerID: UUID, origin: RequestOrigin) async throws {
        guard userID != ownerID else { throw APIError.validation(["user_id": "is you already"]) }
        try await database.inTransaction(logger: logger) { connection in
            guard try await memberships.lockRole(userID: ownerID, organizationID: organizationID, on: connection) == .owner else {
                throw APIError(.forbidden, "forbidden", "only the owner can transfer ownership")
            }
            guard try await memberships.lockRole(userID: userID, organizationID: organizationID, on: connection) != nil else {
                throw APIError.validation(["user_id": "is not a member of this organization"])
            }
            try await memberships.setRole(.admin, userID: ownerID, organizationID: organizationID, on: connection)
            try await memberships.setRole(.owner, userID: userID, organizationID: organizationID, on: connection)
            try await audit.record(
                AuditEvent(organizationID: organizationID, actorUserID: ownerID, action: "organization.ownership_transferred", targetType: "user",
                           targetID: userID.uuidString, origin: origin),
                on: connection
            )
        }
    }

    /// The target's role, once the actor is known to outrank it. 404 when the target is not a member.
    private func manageable(_ userID: UUID, organizationID: UUID, by actor: (id: UUID, role: Role), on connection: PostgresConnection) async throws -> Role {
        guard let current = try await memberships.lockRole(userID: userID, organizationID: organizationID, on: connection) else {
            throw APIError.notFound("member")
        }
        guard actor.role.canManage(current) else {
            throw APIError(.forbidden, "forbidden", "your role (\(actor.role.rawValue)) cannot manage a member who is \(current.rawValue)")
        }
        return current
    }
}
