/// A member's role in an organization, from most to least powerful.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case owner, admin, editor, viewer

    private var rank: Int {
        switch self {
        case .owner: return 3
        case .admin: return 2
        case .editor: return 1
        case .viewer: return 0
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    /// Whether this role may do everything `required` may.
    public func includes(_ required: Role) -> Bool { self >= required }
}

/// What a member may do, and the least role that grants it. The permission matrix lives here only.
public enum Permission: Sendable, CaseIterable {
    case readContent
    case writePosts
    case connectChannels
    case manageMembers
    /// See failed jobs and run them again.
    case manageJobs
    case manageOrganization

    /// The least role that holds this permission.
    public var minimumRole: Role {
        switch self {
        case .readContent: return .viewer
        case .writePosts: return .editor
        case .connectChannels, .manageMembers, .manageJobs: return .admin
        case .manageOrganization: return .owner
        }
    }
}
