import ArkyraCore
import Foundation
import Hummingbird

/// What the pages share: the services they call (the same ones behind `/api/v1`, so a page never knows a
/// rule the API does not enforce), the renderer, and how a page finds who is looking at it.
struct WebPages: Sendable {
    let renderer: PageRenderer
    let browser: BrowserSession
    let accounts: AccountService
    let mail: AccountMailService
    let sessions: SessionService
    let organizations: OrganizationService
    let members: MemberService
    let keys: APIKeyService
    let audit: AuditRepository
    let notifications: NotificationRepository
    let privacy: PrivacyService
    let users: UserRepository
    let posts: PostService
    let media: MediaService
    let integrations: IntegrationService
    let customers: CustomerService
    let connections: OAuthConnectService
    let providers: ProviderRegistry
    let database: Database
    /// Where this installation is reached (links shown to be sent to someone, such as an invitation's).
    let publicURL: String

    /// How many organizations the header's switcher lists; the rest are on `/app/organizations`.
    static let switcherSize = 20

    /// The person and, for pages under `/app/:organization`, the organization — which must be theirs
    /// (another organization answers 404, as the API does). The switcher's first ``switcherSize``
    /// organizations come along, or all of them with `allOrganizations`.
    func viewer(_ context: AuthenticatedContext, organization rawID: String? = nil, allOrganizations: Bool = false) async throws -> PageRenderer.Viewer {
        guard let user = try await users.find(id: context.userID, client: database) else {
            throw APIError(.unauthorized, "unauthorized", "this account no longer exists")
        }
        var memberships = try await organizations.list(for: context.userID, limit: allOrganizations ? nil : Self.switcherSize + 1)
        let more = memberships.count > Self.switcherSize && !allOrganizations
        if more { memberships.removeLast() }
        var current: MemberOrganization?
        if let rawID {
            if let listed = memberships.first(where: { $0.organization.id.uuidString.lowercased() == rawID.lowercased() }) {
                current = listed
            } else if let id = UUID(uuidString: rawID), let found = try await organizations.membership(of: context.userID, in: id) {
                current = found
            } else {
                throw APIError.notFound("organization")
            }
        }
        return .init(user: user, sessionID: context.sessionID, organizations: memberships, moreOrganizations: more, current: current)
    }

    /// A page of one organization (`/app/:organization/...`): who looks at it, and the organization.
    struct MemberPage: Sendable {
        var viewer: PageRenderer.Viewer
        var organization: MemberOrganization
        var id: UUID { organization.organization.id }
        /// `/app/<id>`, where the organization's pages live.
        var path: String { "/app/\(id.uuidString.lowercased())" }
        var role: Role { organization.role }
    }

    /// The viewer of a page under `/app/:organization` and that organization, once they hold `permission` in
    /// it (OrganizationService.authorize, as every API route: 404 for another organization, 403 for too low
    /// a role, 429 past the organization's budget).
    func member(_ context: AuthenticatedContext, _ permission: Permission) async throws -> MemberPage {
        _ = try await organizations.authorize(permission, in: context)
        var viewer = try await viewer(context, organization: try context.parameters.require("organization"))
        guard let organization = viewer.current else { throw APIError.notFound("organization") }
        viewer.unread = try await notifications.unread(organizationID: organization.organization.id, reader: context.userID, client: database)
        return MemberPage(viewer: viewer, organization: organization)
    }

    /// A submitted form of a logged-in page, its CSRF token checked.
    func form(_ request: Request, _ context: AuthenticatedContext) async throws -> WebForm {
        try await WebForm.read(request, expecting: renderer.expectedToken(request, sessionID: context.sessionID))
    }

    /// The session of the access cookie, when it is still valid (for the forms outside `/app`).
    func cookieSession(_ request: Request) async -> AccessTokenVerifier.Identity? {
        guard let access = request.cookies[BrowserSession.accessCookie]?.value, !access.isEmpty else { return nil }
        return try? await AccessTokenVerifier(signer: sessions.signer, revocations: sessions.revocations).verify(access)
    }

    /// The confirmation a redirect after a form names (`?done=<code>`), in the viewer's language; a code the
    /// catalogue does not know shows nothing, so a link cannot put words on the page.
    func done(_ request: Request) -> String? {
        guard let code = request.uri.queryParameters["done"], code.count < 60 else { return nil }
        return renderer.assets.catalogue.table(renderer.language(request))["done_\(code)"]
    }

    /// An API error as a form's values: the message beside each field it names (`errors.<field>`), or as the
    /// form's own message when it names none.
    static func problem(_ error: APIError) -> [String: Any] {
        if let fields = error.fields, !fields.isEmpty { return ["errors": fields] }
        return ["error": error.message]
    }

    /// Dates and times in the viewer's language and time zone.
    func formatter(_ request: Request) -> CalendarFormatter {
        CalendarFormatter(viewing: request, language: renderer.language(request))
    }

    /// One of this site's own file URLs (the local store's) as a path, so it loads on whichever host the page
    /// came from; any other URL as it is.
    func sitePath(_ url: String?) -> String? {
        url.map { $0.hasPrefix(publicURL + "/") ? String($0.dropFirst(publicURL.count)) : $0 }
    }

    /// A path inside the app to go back to after logging in (never another site).
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/app"), !next.hasPrefix("//"), !next.contains("\\"), next.count < 2000 else { return "/app" }
        return next
    }
}
