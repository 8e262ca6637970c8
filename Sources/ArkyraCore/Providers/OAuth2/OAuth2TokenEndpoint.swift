import AsyncHTTPClient
import Foundation
import NIOCore

/// A platform's OAuth 2.0 token endpoint (RFC 6749 §4.1.3 and §6): trades an authorization code, or a
/// refresh token, for tokens. Confidential apps authenticate with HTTP Basic or with the secret in the form,
/// as the platform asks; every app sends its client id.
package struct OAuth2TokenEndpoint: Sendable {
    /// How a confidential app proves itself (RFC 6749 §2.3.1).
    package enum ClientAuthentication: Sendable {
        /// `Authorization: Basic` with the id and secret (the RFC's preference; X).
        case basic
        /// `client_secret` in the form body (LinkedIn).
        case requestBody
    }

    let http: PlatformHTTP
    let url: String
    let app: PlatformConfiguration.OAuthApp
    let clientAuthentication: ClientAuthentication

    package init(http: PlatformHTTP, url: String, app: PlatformConfiguration.OAuthApp, clientAuthentication: ClientAuthentication = .basic) {
        self.http = http
        self.url = url
        self.app = app
        self.clientAuthentication = clientAuthentication
    }

    /// The standard token answer.
    package struct Tokens: Decodable, Sendable {
        /// The server a bot was added to, which Discord's answer to a `bot` scope names.
        package struct Guild: Decodable, Sendable {
            package var id: String
            package var name: String
            package var icon: String?
        }

        package var accessToken: String
        package var refreshToken: String?
        package var expiresIn: Int?
        package var scope: String?
        package var guild: Guild?

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token", refreshToken = "refresh_token", expiresIn = "expires_in", scope, guild
        }

        package var expiresAt: Date? { expiresIn.map { Date().addingTimeInterval(TimeInterval($0)) } }
    }

    /// - Throws: ``ProviderError``: `.rejected` when the code or verifier is refused.
    /// - Parameter verifier: the PKCE verifier, or nil for a platform that does not take PKCE.
    package func exchange(code: String, verifier: String?, redirectURI: String) async throws -> Tokens {
        try await request([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI)]
            + (verifier.map { [("code_verifier", $0)] } ?? []), refreshing: false)
    }

    /// - Throws: ``ProviderError``: `.invalidCredentials` when the refresh token is refused (a person must
    ///   connect the account again).
    package func refresh(_ refreshToken: String) async throws -> Tokens {
        try await request([("grant_type", "refresh_token"), ("refresh_token", refreshToken)], refreshing: true)
    }

    /// New credentials for stored ones; a platform that does not replace the refresh token keeps the old one.
    /// - Parameter missing: why there is no refresh token, for a person (they must connect again).
    package func refreshed(_ credentials: ProviderCredentials, missing: String) async throws -> ProviderCredentials {
        guard let refreshToken = credentials.refreshToken else { throw ProviderError.invalidCredentials(message: missing) }
        let tokens = try await refresh(refreshToken)
        return ProviderCredentials(
            accessToken: tokens.accessToken, refreshToken: tokens.refreshToken ?? refreshToken, expiresAt: tokens.expiresAt, instanceURL: nil
        )
    }

    private func request(_ fields: [(String, String)], refreshing: Bool) async throws -> Tokens {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        var fields = fields + [("client_id", app.clientID)]
        if let secret = app.clientSecret {
            switch clientAuthentication {
            case .basic:
                let basic = Data("\(Self.formEncoded(app.clientID)):\(Self.formEncoded(secret))".utf8).base64EncodedString()
                request.headers.add(name: "Authorization", value: "Basic \(basic)")
            case .requestBody:
                fields.append(("client_secret", secret))
            }
        }
        let body = fields.map { "\($0.0)=\(Self.formEncoded($0.1))" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: body))
        // Not mutating: a lost answer leaves the code unused or the old refresh token valid at worst
        // (platforms that rotate refresh tokens keep the old one for a grace period or refuse both).
        let response = try await http.send(request, mutates: false)
        if response.status == 200, let tokens = response.decode(Tokens.self) { return tokens }
        let problem = response.decode(OAuth2Error.self)
        let message = problem.map { [$0.error, $0.errorDescription].compactMap { $0 }.joined(separator: ": ") } ?? response.summary
        switch (response.status, problem?.error) {
        case (_, "invalid_client"), (401, _):
            throw ProviderError.rejected(status: response.status, message: "the platform refused ARKYRA's app credentials (\(message)); check the client id and secret")
        case (_, "invalid_grant") where refreshing:
            throw ProviderError.invalidCredentials(message: "the refresh token was refused (\(message))")
        case (429, _):
            throw ProviderError.rateLimited(retryAt: ProviderError.retryTime(retryAfter: response.headers.first(name: "Retry-After")), message: message)
        case (400..<500, _):
            throw ProviderError.rejected(status: response.status, message: message)
        default:
            throw ProviderError.unavailable(message: message)
        }
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// `application/x-www-form-urlencoded` for one value (RFC 6749 Appendix B).
    static func formEncoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }
}

/// RFC 6749 §5.2's error answer.
struct OAuth2Error: Decodable {
    var error: String
    var errorDescription: String?

    enum CodingKeys: String, CodingKey {
        case error, errorDescription = "error_description"
    }
}
