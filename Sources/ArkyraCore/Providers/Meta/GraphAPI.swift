import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What Meta's Graph APIs (Facebook, Instagram, Threads) share besides their errors: parameters in a query
/// or a form body, and the token answer of their token endpoints.
enum GraphAPI {
    /// `a=1&b=2`, each value form-encoded.
    static func form(_ parameters: [(String, String)]) -> String {
        parameters.map { "\($0.0)=\(OAuth2TokenEndpoint.formEncoded($0.1))" }.joined(separator: "&")
    }

    /// A Graph call to `url`, the token in `access_token` as Meta's documentation sends it; a POST's
    /// parameters go in a form body, the others' in the query.
    static func request(_ method: HTTPMethod, _ url: String, _ parameters: [(String, String)], token: String) -> HTTPClientRequest {
        var request: HTTPClientRequest
        if method == .POST {
            request = HTTPClientRequest(url: url + "?" + form([("access_token", token)]))
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form(parameters)))
        } else {
            request = HTTPClientRequest(url: url + "?" + form(parameters + [("access_token", token)]))
        }
        request.method = method
        return request
    }
}

extension GraphAPI {
    /// `GET <url>?<parameters>` of a Meta token endpoint (code exchanges, long-lived tokens, renewals).
    static func token(http: PlatformHTTP, url: String, _ parameters: [(String, String)], platform: String) async throws -> GraphToken {
        var request = HTTPClientRequest(url: url + "?" + form(parameters))
        request.method = .GET
        let response = try await http.send(request, mutates: false)
        guard response.status == 200 else { throw GraphError.classify(response, mutates: false, platform: platform) }
        guard let token = response.decode(GraphToken.self) else {
            throw ProviderError.rejected(status: response.status, message: "the server did not answer like the \(platform) API")
        }
        return token
    }

    /// A long-lived token of Threads or Instagram, which renews itself: it is its own refresh token.
    static func selfRenewing(http: PlatformHTTP, url: String, _ parameters: [(String, String)], platform: String) async throws -> ProviderCredentials {
        let token = try await token(http: http, url: url, parameters, platform: platform)
        let expiresAt = token.expiresIn.map { Date().addingTimeInterval(TimeInterval($0)) }
        return ProviderCredentials(accessToken: token.accessToken, refreshToken: token.accessToken, expiresAt: expiresAt, instanceURL: nil)
    }

    /// Renews a self-renewing token with `grant`; one the platform no longer renews asks for a reconnect.
    static func renew(_ credentials: ProviderCredentials, http: PlatformHTTP, url: String, grant: String, platform: String) async throws -> ProviderCredentials {
        do {
            return try await selfRenewing(http: http, url: url, [("grant_type", grant), ("access_token", credentials.refreshToken ?? credentials.accessToken)], platform: platform)
        } catch ProviderError.tokenExpired(let message) {
            throw ProviderError.invalidCredentials(message: "\(platform) no longer renews the token (\(message)); connect the account again")
        }
    }
}

/// A token endpoint's answer: `{access_token, token_type, expires_in?}`.
struct GraphToken: Decodable {
    var accessToken: String
    var expiresIn: Int?

    enum CodingKeys: String, CodingKey { case accessToken = "access_token", expiresIn = "expires_in" }
}

/// An insights answer: `{data: [{name, period, values: [{value}], total_value?: {value}}]}`.
struct GraphInsights: Decodable {
    var data: [Metric]

    struct Metric: Decodable {
        var name: String
        var values: [Value]?
        var totalValue: Value?

        enum CodingKeys: String, CodingKey { case name, values, totalValue = "total_value" }
    }

    struct Value: Decodable {
        var value: Int
    }

    /// Each metric's lifetime value.
    var counts: [String: Int] {
        Dictionary(data.compactMap { metric in (metric.totalValue ?? metric.values?.last).map { (metric.name, $0.value) } }, uniquingKeysWith: { $1 })
    }
}
