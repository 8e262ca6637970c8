import Foundation

/// A platform whose accounts connect through its consent page: OAuth 2.0's authorization code grant, with
/// PKCE (RFC 7636, S256) where the platform takes it. The API sends the person to ``authorizationURL(state:challenge:redirectURI:)``; the
/// platform sends them back with a code, which ``exchange(code:verifier:redirectURI:)`` trades for tokens.
package protocol OAuthProvider: Provider {
    /// The app ARKYRA is registered as; nil when this installation has none, and the platform cannot be connected.
    var app: PlatformConfiguration.OAuthApp? { get }
    /// The scopes asked for, as the platform names them.
    var scopes: [String] { get }
    /// The name of the setting that registers the app, for messages to administrators (`ARKYRA_X_CLIENT_ID`).
    var clientIDSetting: String { get }
    /// Whether the platform takes PKCE from web apps (LinkedIn does not: its confidential apps use the
    /// client secret alone).
    var usesPKCE: Bool { get }
    /// Parameters the platform's consent page needs beyond OAuth's (Discord: the bot's `permissions`).
    var extraAuthorizationParameters: [URLQueryItem] { get }
    /// How the consent page's `scope` separates scopes (RFC 6749: a space; Slack: a comma).
    var scopeSeparator: String { get }
    /// The name the consent page gives the app's id (RFC 6749: `client_id`; TikTok: `client_key`).
    var clientIDParameter: String { get }

    /// Trades the code the consent page gave for tokens, and reads the account they act as.
    /// - Throws: ``ProviderError``: `.rejected` for a code or verifier the platform refused.
    func exchange(code: String, verifier: String, redirectURI: String) async throws -> ConnectedAccount
}

extension OAuthProvider {
    package var usesPKCE: Bool { true }
    package var extraAuthorizationParameters: [URLQueryItem] { [] }
    package var scopeSeparator: String { " " }
    package var clientIDParameter: String { "client_id" }

    /// The consent page for one attempt, or nil without an app.
    package func authorizationURL(state: String, challenge: String, redirectURI: String) -> URL? {
        guard let app, var components = URLComponents(url: app.authorizeURL, resolvingAgainstBaseURL: false) else { return nil }
        var items = [
            URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: clientIDParameter, value: app.clientID),
            URLQueryItem(name: "redirect_uri", value: redirectURI),
            URLQueryItem(name: "scope", value: scopes.joined(separator: scopeSeparator)),
            URLQueryItem(name: "state", value: state),
        ]
        if usesPKCE {
            items += [URLQueryItem(name: "code_challenge", value: challenge), URLQueryItem(name: "code_challenge_method", value: "S256")]
        }
        components.queryItems = (components.queryItems ?? []) + items + extraAuthorizationParameters
        // URLComponents leaves `+` and `&` inside values alone; a strict form decoder would misread them.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.url
    }
}
