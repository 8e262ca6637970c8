import AsyncHTTPClient
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
