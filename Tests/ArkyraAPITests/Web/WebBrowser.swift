import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// Enough of a browser for the web app's tests: keeps the cookies the pages set and sends them back,
/// submits forms as `application/x-www-form-urlencoded` with the page's CSRF token, and does not follow
/// redirects (tests read where they lead).
final class WebBrowser: Sendable {
    let client: any TestClientProtocol
    private let jar = Mutex<[String: String]>([:])
    private let lastToken = Mutex<String?>(nil)
    let language: String?

    init(_ client: any TestClientProtocol, language: String? = nil) {
        self.client = client
        self.language = language
    }

    struct Page {
        var status: HTTPResponse.Status
        var html: String
        var location: String?
        var headers: HTTPFields
    }

    var cookies: [String: String] { jar.withLock { $0 } }

    /// Sets a cookie as if a page had (a session opened through the API, say).
    func setCookie(_ name: String, _ value: String) {
        jar.withLock { $0[name] = value }
    }

    func get(_ path: String, headers extra: HTTPFields = [:]) async throws -> Page {
        try await send(.get, path, body: Optional<ByteBuffer>.none, headers: extra)
    }

    /// Submits a form; `_csrf` is the last page's token unless the fields name one.
    func post(_ path: String, _ fields: [(String, String)], csrf: Bool = true) async throws -> Page {
        var fields = fields
        if csrf, !fields.contains(where: { $0.0 == "_csrf" }), let token = lastToken.withLock({ $0 }) { fields.append(("_csrf", token)) }
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.post, path, body: body, headers: [.contentType: "application/x-www-form-urlencoded"])
    }

    /// A call of `/api/v1` as the page's scripts make it: the session cookie, and the page's CSRF token when asked.
    func api(_ method: HTTPRequest.Method, _ path: String, json: String? = nil, csrf: Bool = true) async throws -> Page {
        var headers: HTTPFields = [.contentType: "application/json"]
        if csrf, let token = lastToken.withLock({ $0 }) { headers[HTTPField.Name("X-CSRF-Token")!] = token }
        return try await send(method, path, body: json, headers: headers)
    }

    /// The token the last page's forms carry.
    var csrf: String? { lastToken.withLock { $0 } }

    /// Submits a multipart form (an upload) as built by the caller, with the cookies.
    func post(_ path: String, multipart body: ByteBuffer, contentType: String) async throws -> Page {
        try await send(.post, path, body: body, headers: [.contentType: contentType])
    }

    private func send(_ method: HTTPRequest.Method, _ path: String, body: String?, headers extra: HTTPFields) async throws -> Page {
        try await send(method, path, body: body.map { ByteBuffer(string: $0) }, headers: extra)
    }

    private func send(_ method: HTTPRequest.Method, _ path: String, body: ByteBuffer?, headers extra: HTTPFields) async throws -> Page {
        var headers = extra
        let cookie = jar.withLock { $0.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if !cookie.isEmpty { headers[.cookie] = cookie }
        if let language, headers[.acceptLanguage] == nil { headers[.acceptLanguage] = language }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body)
        for line in response.headers[values: .setCookie] {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
            let expired = line.lowercased().contains("max-age=0")
            jar.withLock { if expired || value.isEmpty { $0[name] = nil } else { $0[name] = value } }
        }
        let html = String(buffer: response.body)
        if let token = html.firstMatch(of: /name="_csrf" value="([^"]+)"/)?.output.1 ?? html.firstMatch(of: /name="csrf-token" content="([^"]+)"/)?.output.1 {
            lastToken.withLock { $0 = String(token) }
        }
        return Page(status: response.status, html: html, location: response.headers[.location], headers: response.headers)
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? text
    }
}

extension WebBrowser {
    /// A new account through the sign-up form and its first organization through the welcome form; the
    /// organization's id.
    func signUp(name: String = "Ada", email: String = "ada-\(UUID().uuidString.prefix(6))@example.com") async throws -> String {
        _ = try await get("/signup")
        let signedUp = try await post("/signup", [("name", name), ("email", email), ("password", "correct horse")])
        #expect(signedUp.status == .seeOther)
        #expect(signedUp.location == "/app")
        #expect(cookies["arkyra_access"] != nil && cookies["arkyra_refresh"] != nil)
        #expect(signedUp.headers[values: .setCookie].allSatisfy { $0.contains("HttpOnly") && $0.contains("SameSite=Lax") })
        let welcome = try await get("/app")
        #expect(welcome.status == .ok)
        #expect(welcome.html.contains("action=\"/app/organizations\""))
        let created = try await post("/app/organizations", [("name", "Acme")])
        #expect(created.status == .seeOther)
        let path = try #require(created.location)
        return try #require(path.firstMatch(of: /\/app\/([0-9a-f-]{36})\//)).output.1.description
    }
}
