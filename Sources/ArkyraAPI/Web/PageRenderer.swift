import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Renders a page: the template with the values every page shares (language, direction, the catalogue's
/// strings as `t`, the form token, the person and their organizations), and the headers every page sends
/// (no caching, a content security policy that allows only this site's scripts and styles).
struct PageRenderer: Sendable {
    let assets: WebAssets
    let browser: BrowserSession

    /// The cookie behind forms shown before a session exists (double submit).
    static let formCookie = "arkyra_form"

    /// The person a page is rendered for, when logged in.
    struct Viewer: Sendable {
        var user: User
        var sessionID: UUID?
        /// The switcher's organizations (the first ``WebPages/switcherSize``, or all on the page listing them).
        var organizations: [MemberOrganization]
        /// Whether the person has more than the switcher lists.
        var moreOrganizations = false
        var current: MemberOrganization?
        /// Notifications of the current organization the person has not seen (the header's count).
        var unread = 0
    }

    /// The API's error as the page shows it: its messages in the viewer's language where they are known.
    func localized(_ error: APIError, _ request: Request) -> APIError {
        ErrorMessages(catalogue: assets.catalogue).translate(error, language(request))
    }

    func language(_ request: Request) -> Language {
        Language.preferred(cookie: request.cookies[Language.cookie]?.value, acceptLanguage: request.headers[.acceptLanguage])
    }

    /// The token the page's forms carry: the session's, or the anonymous form cookie's (made when absent).
    func formToken(_ request: Request, viewer: Viewer?) -> (token: String, newCookie: String?) {
        if let sessionID = viewer?.sessionID { return (browser.csrf.token(for: sessionID), nil) }
        if let existing = request.cookies[Self.formCookie]?.value, existing.hasPrefix("f_"), existing.count < 100 { return (existing, nil) }
        let made = CSRFToken.random()
        return (made, made)
    }

    /// The token a submitted form must carry (nil when a form of a logged-out page has no cookie yet).
    func expectedToken(_ request: Request, sessionID: UUID?) -> String? {
        if let sessionID { return browser.csrf.token(for: sessionID) }
        return request.cookies[Self.formCookie]?.value
    }

    func render(_ template: String, _ values: [String: Any], request: Request, viewer: Viewer?, title: String,
                status: HTTPResponse.Status = .ok) -> Response {
        let language = language(request)
        let (token, newCookie) = formToken(request, viewer: viewer)
        var context = values
        context["lang"] = language.rawValue
        context["dir"] = language.direction
        context["t"] = assets.catalogue.table(language)
        context["csrf"] = token
        context["title"] = title
        context["path"] = request.uri.path
        context["languages"] = Language.allCases.map { ["code": $0.rawValue, "name": $0.nativeName, "selected": $0 == language] }
        if let viewer {
            context["viewer"] = ["name": viewer.user.name.isEmpty ? viewer.user.email : viewer.user.name, "email": viewer.user.email]
            context["organizations"] = viewer.organizations.map { organization in
                ["id": organization.organization.id.uuidString.lowercased(), "name": organization.organization.name, "current": organization.organization.id == viewer.current?.organization.id] as [String: Any]
            }
            context["more_organizations"] = viewer.moreOrganizations
            if let current = viewer.current {
                context["org"] = ["id": current.organization.id.uuidString.lowercased(), "name": current.organization.name, "role": current.role.rawValue,
                                  "keys": current.role.includes(Permission.manageAPIKeys.minimumRole), "audit": current.role.includes(Permission.readAudit.minimumRole),
                                  "settings": current.role.includes(Permission.manageSettings.minimumRole),
                                  "unread": viewer.unread, "has_unread": viewer.unread > 0]
                // What the page's live script says and shows as events arrive, in the viewer's language.
                let table = assets.catalogue.table(language)
                context["live_states"] = Self.json(Dictionary(uniqueKeysWithValues: PostState.allCases.map { ($0.rawValue, table["state_\($0.rawValue)"] ?? $0.rawValue) }))
            }
        }
        let html = assets.templates.render(context, withTemplate: template) ?? "template \(template) is missing"
        var response = Response(status: status, headers: Self.headers, body: .init(byteBuffer: ByteBuffer(string: html)))
        if let newCookie {
            response.setCookie(Cookie(name: Self.formCookie, value: newCookie, maxAge: 86_400, path: "/", secure: browser.secure, httpOnly: true, sameSite: .strict))
        }
        return response
    }

    /// `value` as JSON for a data attribute (the template escapes it for HTML).
    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// A template's values without the absent ones: an empty or missing value must not open a section.
    static func values(_ values: [String: Any?]) -> [String: Any] {
        values.compactMapValues { value in
            if let text = value as? String, text.isEmpty { return nil }
            return value
        }
    }

    func text(_ key: String, _ request: Request, _ values: [String: String] = [:]) -> String {
        assets.catalogue.text(key, language(request), values)
    }

    static let headers: HTTPFields = [
        .contentType: "text/html; charset=utf-8",
        .cacheControl: "no-store",
        HTTPField.Name("Content-Security-Policy")!:
            "default-src 'self'; img-src 'self' data: https: http:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "same-origin",
    ]
}
