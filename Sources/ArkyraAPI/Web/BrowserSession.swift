import ArkyraCore
import Foundation
import Hummingbird

/// How a browser holds an ordinary session: the access and refresh tokens that `/api/v1/auth/login`
/// returns, in HttpOnly cookies (SameSite=Lax, Secure when the installation is served over TLS), so page
/// scripts never see them. A cookie authenticates `/api/v1` too; state-changing requests it authenticates
/// must carry the session's CSRF token (``CSRFToken``).
struct BrowserSession: Sendable {
    static let accessCookie = "arkyra_access"
    static let refreshCookie = "arkyra_refresh"
    static let csrfHeader = "X-CSRF-Token"
    static let csrfField = "_csrf"

    let secure: Bool
    let refreshLifetime: Duration
    let csrf: CSRFToken

    init(publicURL: String, refreshLifetime: Duration, secret: [UInt8]) {
        secure = publicURL.lowercased().hasPrefix("https://")
        self.refreshLifetime = refreshLifetime
        csrf = CSRFToken(secret: secret)
    }

    /// Stores freshly issued tokens. The access cookie outlives its token (as long as the refresh one), so
    /// an expired access token still arrives and is refreshed instead of looking like no session at all.
    func store(_ tokens: SessionService.Tokens, on response: inout Response) {
        let lifetime = Int(refreshLifetime.components.seconds)
        response.setCookie(cookie(Self.accessCookie, tokens.accessToken, maxAge: lifetime))
        response.setCookie(cookie(Self.refreshCookie, tokens.refreshToken, maxAge: lifetime))
    }

    func clear(on response: inout Response) {
        response.setCookie(cookie(Self.accessCookie, "", maxAge: 0))
        response.setCookie(cookie(Self.refreshCookie, "", maxAge: 0))
    }

    private func cookie(_ name: String, _ value: String, maxAge: Int) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// A readable preference (language, time zone): not a secret, kept for a year.
    func preference(_ name: String, _ value: String) -> Cookie {
        Cookie(name: name, value: value, maxAge: 365 * 86_400, path: "/", secure: secure, httpOnly: false, sameSite: .lax)
    }

    static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options
    }
}
