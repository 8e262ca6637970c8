import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird

/// The web app: `/login`, `/signup`, `/logout`, `/language`, the pages the account emails link to, the pages under `/app` (behind the browser
/// session) and `/static/*` (styles, scripts, the manifest and the service worker).
struct WebRoutes {
    let pages: WebPages
    let verifier: AccessTokenVerifier
    /// The API's limits per user (or address), so pages cost what API calls cost.
    let rateLimit: RateLimitMiddleware

    /// Whether `path` is one of the web app's (HTML for browsers, not part of the OpenAPI description).
    static func serves(_ path: String) -> Bool {
        let path = path.hasPrefix("/") ? path : "/" + path
        return ["/app", "/login", "/signup", "/logout", "/language", "/activate", "/forgot-password", "/reset-password", "/static/", "/service-worker.js"].contains { path == $0 || path.hasPrefix($0 + ($0.hasSuffix("/") ? "" : "/")) }
    }

    func add(to router: Router<AppRequestContext>) {
        let files = pages.renderer.assets.files
        router.get("static/:file") { request, context in
            guard let file = files[try context.parameters.require("file")] else { throw APIError.notFound("file") }
            if request.headers[.ifNoneMatch] == file.etag {
                return Response(status: .notModified, headers: [.eTag: file.etag])
            }
            return Response(status: .ok, headers: [
                .contentType: file.contentType, .eTag: file.etag, .cacheControl: "public, max-age=300", HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ], body: .init(byteBuffer: file.body))
        }
        // The service worker must be served from the root to control the whole site.
        router.get("service-worker.js") { _, _ in
            guard let file = files["service-worker.js"] else { throw APIError.notFound("file") }
            return Response(status: .ok, headers: [.contentType: file.contentType, .cacheControl: "no-cache"], body: .init(byteBuffer: file.body))
        }
        let errors = WebErrorMiddleware(renderer: pages.renderer)
        let beforeSession = router.group().add(middleware: errors).add(middleware: rateLimit)
        AuthPages(pages: pages).add(to: beforeSession)
        AccountMailPages(pages: pages).add(to: beforeSession)
        let app = router.group("app")
            .add(middleware: errors)
            .add(middleware: WebSessionMiddleware(verifier: verifier, sessions: pages.sessions, browser: pages.browser))
            .add(middleware: rateLimit)
            .group(context: AuthenticatedContext.self)
        OrganizationPages(pages: pages).add(to: app)
        InvitationPage(pages: pages).add(to: app)
        AccountPage(pages: pages).add(to: app)
        let organization = app.group(":organization")
        CalendarPage(pages: pages).add(to: organization)
        ComposerPage(pages: pages).add(to: organization)
        ChannelsPage(pages: pages).add(to: organization)
        TeamPage(pages: pages).add(to: organization)
        APIKeysPage(pages: pages).add(to: organization)
        AuditPage(pages: pages).add(to: organization)
        NotificationsPage(pages: pages).add(to: organization)
        MediaPage(pages: pages).add(to: organization)
        AnalyticsPage(pages: pages).add(to: organization)
        OrganizationSettingsPage(pages: pages).add(to: organization)
    }
}
