/// A member's role in an organization, from most to least powerful.
package enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case owner, admin, editor, viewer

    private var rank: Int {
        switch self {
        case .owner: return 3
        case .admin: return 2
        case .editor: return 1
        case .viewer: return 0
        }
    }

    package static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    /// Whether this role may do everything `required` may.
    package func includes(_ required: Role) -> Bool { self >= required }
}

/// What a member may do, and the least role that grants it. The permission matrix lives here only:
///
/// | permission | viewer | editor | admin | owner |
/// |---|---|---|---|---|
/// | readContent: see channels, posts, the calendar, members, notifications | ✓ | ✓ | ✓ | ✓ |
/// | writePosts: create, edit, move, delete posts | | ✓ | ✓ | ✓ |
/// | connectChannels: connect and reconnect channels | | | ✓ | ✓ |
/// | approvePosts: approve, reject or ask for changes to a post group submitted for approval | | | ✓ | ✓ |
/// | manageMembers: invite, change roles below their own, remove | | | ✓ | ✓ |
/// | manageJobs: see and redrive failed jobs | | | ✓ | ✓ |
/// | manageAPIKeys: create and revoke API keys | | | ✓ | ✓ |
/// | manageSettings: rename the organization | | | ✓ | ✓ |
/// | readAudit: read the audit log | | | ✓ | ✓ |
/// | manageOrganization: transfer ownership, export or delete the organization | | | | ✓ |
package enum Permission: Sendable, CaseIterable {
    case readContent
    case writePosts
    case connectChannels
    /// Decide on post groups submitted for approval.
    case approvePosts
    case manageMembers
    /// See failed jobs and run them again.
    case manageJobs
    case manageAPIKeys
    case manageSettings
    case readAudit
    case manageOrganization

    /// The least role that holds this permission.
    package var minimumRole: Role {
        switch self {
        case .readContent: return .viewer
        case .writePosts: return .editor
        case .connectChannels, .approvePosts, .manageMembers, .manageJobs, .manageAPIKeys, .manageSettings, .readAudit: return .admin
        case .manageOrganization: return .owner
        }
    }
}

extension Role {
    /// Whether a member with this role may change or remove a member holding `other`: only a higher role
    /// may (the owner may manage everyone else; an admin, editors and viewers).
    package func canManage(_ other: Role) -> Bool { self > other }

    /// Whether a member with this role may give `granted` to someone: never ownership (it is transferred),
    /// and nothing above their own role.
    package func canGrant(_ granted: Role) -> Bool { granted != .owner && granted <= self }
}
