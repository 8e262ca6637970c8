import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The browser and token endpoints of an emulated authorization server (RFC 6749 §4.1, RFC 7636): the
/// consent page, with the platform's accounts to pick from and Authorize and Cancel; the form it posts,
/// which sends the person back with a code or `error=access_denied`; and the token endpoint for
/// `authorization_code` and `refresh_token` grants. Each platform's routes mount these at its own paths.
struct OAuthEndpoints {
    let server: OAuthServer
    /// The consent page's own path (its form posts back to it).
    let consentPath: String
    /// Where consenting also adds the app to something of the person's (Discord's `bot` scope: a server):
    /// the redirect's extra parameters and the code's token answer's extra fields, for the account.
    var install: (@Sendable (_ accountID: String) async -> Install)? = nil
    /// What the consent page's query calls the app's id (TikTok: `client_key`).
    var clientIDField = "client_id"

    struct Install: Sendable {
        var redirect: [String: String]
        /// A JSON object merged into the token answer.
        var tokenFields: Data
    }

    /// Mounts the consent page (GET and its form's POST) at `consentPath` and the token endpoint at
    /// `tokenPath` (both relative to `group`; no token endpoint when nil, for a platform whose token endpoint
    /// answers in its own shape); `record` wraps each exchange for the sandbox's request log.
    func add(
        to group: RouterGroup<BasicRequestContext>, consentPath relativeConsent: String, tokenPath: String?,
        record: @escaping @Sendable (Request, ByteBuffer, (Date) async -> Response) async -> Response
    ) {
        group.get(RouterPath(relativeConsent)) { request, _ in
            await record(request, ByteBuffer()) { _ in await consentPage(request.uri.queryParameters) }
        }
        group.post(RouterPath(relativeConsent)) { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            return await record(request, body) { now in await decide(body, now: now) }
        }
        if let tokenPath {
            group.post(RouterPath(tokenPath)) { request, _ in
                let body = try await request.body.collect(upTo: 64 * 1024)
                return await record(request, body) { now in await token(request, body: body, now: now) }
            }
        }
    }

    func consentPage(_ query: Parameters) async -> Response {
        let policy = server.policy
        let clientID = query[Substring(clientIDField)].map(String.init) ?? ""
        guard await server.apps[clientID] != nil else {
            return Self.page("Something went wrong", "You weren't able to give access to the App. Go back and try logging in again.", status: .badRequest)
        }
        let challenge = query["code_challenge"].map(String.init) ?? ""
        guard let redirect = query["redirect_uri"].map(String.init), URL(string: redirect)?.scheme != nil,
              query["response_type"] == "code", let state = query["state"], !state.isEmpty,
              challenge.isEmpty ? !policy.requiresPKCE : query["code_challenge_method"] == "S256"
        else {
            let pkce = policy.requiresPKCE ? " or an S256 code_challenge" : ""
            return Self.page("Something went wrong", "The request is missing response_type=code, redirect_uri, state\(pkce).", status: .badRequest)
        }
        let scope = query["scope"].map(String.init) ?? ""
        var accounts = await server.accounts
        if accounts.isEmpty { accounts = [await server.addAccount(username: "sandbox_writer", name: "Sandbox Writer")] }
        let hidden = ["client_id": clientID, "redirect_uri": redirect, "state": String(state), "code_challenge": challenge, "scope": scope]
            .map { "<input type=\"hidden\" name=\"\($0.key)\" value=\"\(Self.escaped($0.value))\">" }.sorted().joined()
        let options = accounts.map { "<option value=\"\($0.id)\">@\(Self.escaped($0.username))</option>" }.joined()
        return Self.page("Authorize \(Self.escaped(clientID)) to access your \(policy.displayName) account?", """
            <form method="post" action="\(consentPath)">\(hidden)
            <p>It will be able to: \(Self.escaped(scope.split(whereSeparator: { $0 == " " || $0 == "," }).joined(separator: ", ")))</p>
            <p><label>Account <select name="account_id">\(options)</select></label></p>
            <button name="decision" value="allow">Authorize app</button> <button name="decision" value="deny">Cancel</button>
            </form>
            """)
    }

    func decide(_ body: ByteBuffer, now: Date) async -> Response {
        let form = SandboxJSON.parameters(body, contentType: "application/x-www-form-urlencoded") ?? [:]
        let field = { (name: String) in form[name] as? String ?? "" }
        guard await server.apps[field("client_id")] != nil, var target = URLComponents(string: field("redirect_uri")), !field("state").isEmpty else {
            return Self.page("Something went wrong", "The consent form was incomplete.", status: .badRequest)
        }
        var items = target.queryItems ?? []
        if field("decision") == "allow", let account = await server.account(id: field("account_id")) {
            let code = await server.issueCode(OAuthServer.Grant(
                clientID: field("client_id"), redirectURI: field("redirect_uri"), challenge: field("code_challenge").isEmpty ? nil : field("code_challenge"),
                accountID: account.id, scope: field("scope"), expiresAt: now.addingTimeInterval(server.policy.codeLifetime)
            ))
            items += [URLQueryItem(name: "code", value: code), URLQueryItem(name: "state", value: field("state"))]
            if let install { items += await install(account.id).redirect.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } }
        } else {
            items += [URLQueryItem(name: "error", value: "access_denied"), URLQueryItem(name: "state", value: field("state"))]
        }
        target.queryItems = items
        return Response(status: .found, headers: [.location: target.string ?? field("redirect_uri")])
    }

    func token(_ request: Request, body: ByteBuffer, now: Date) async -> Response {
        let policy = server.policy
        let form = SandboxJSON.parameters(body, contentType: request.headers[.contentType]) ?? [:]
        let field = { (name: String) in form[name] as? String ?? "" }
        guard let clientID = await authenticatedClient(request, field) else {
            return Self.oauthError(.unauthorized, policy.clientAuthentication == .basic ? "unauthorized_client" : "invalid_client",
                                   policy.clientAuthentication == .basic ? "Missing valid authorization header" : "Client authentication failed")
        }
        let issued: OAuthServer.Issued
        var extra: [String: Any] = [:]
        switch field("grant_type") {
        case "authorization_code":
            do {
                issued = try await server.exchange(code: field("code"), clientID: clientID, redirectURI: field("redirect_uri"), verifier: field("code_verifier"), now: now)
            } catch {
                return Self.oauthError(.badRequest, "invalid_request", policy.invalidCode)
            }
            if let install, let fields = (try? JSONSerialization.jsonObject(with: await install(issued.token.accountID).tokenFields)) as? [String: Any] {
                extra = fields
            }
        case "refresh_token":
            guard let refreshed = await server.refresh(field("refresh_token"), clientID: clientID, now: now) else {
                return Self.oauthError(.badRequest, policy.invalidRefreshError, policy.invalidRefresh)
            }
            issued = refreshed
        default:
            return Self.oauthError(.badRequest, "invalid_request", "Missing required parameter [grant_type].")
        }
        var answer: [String: Any] = ["access_token": issued.access, "expires_in": Int(policy.accessLifetime), "scope": issued.token.scope]
        if let type = policy.tokenType { answer["token_type"] = type }
        if let refresh = issued.refresh { answer["refresh_token"] = refresh }
        if let expiresAt = issued.refreshExpiresAt { answer["refresh_token_expires_in"] = max(0, Int(expiresAt.timeIntervalSince(now))) }
        answer.merge(extra) { $1 }
        return SandboxJSON.response(answer)
    }

    /// The client id of a request that authenticates as the policy says: HTTP Basic for confidential apps
    /// (the body's client id may then be left out), or `client_id` and `client_secret` in the body.
    private func authenticatedClient(_ request: Request, _ field: (String) -> String) async -> String? {
        switch server.policy.clientAuthentication {
        case .basic:
            if let header = request.headers[.authorization], header.hasPrefix("Basic ") {
                guard let decoded = Data(base64Encoded: String(header.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
                      let colon = decoded.firstIndex(of: ":"),
                      let app = await server.apps[String(decoded[..<colon]).removingPercentEncoding ?? ""],
                      app.clientSecret == String(decoded[decoded.index(after: colon)...]).removingPercentEncoding
                else { return nil }
                return app.clientID
            }
            guard let app = await server.apps[field("client_id")], app.clientSecret == nil else { return nil }
            return app.clientID
        case .requestBody:
            guard let app = await server.apps[field("client_id")], app.clientSecret == nil || app.clientSecret == field("client_secret") else { return nil }
            return app.clientID
        }
    }

    static func oauthError(_ status: HTTPResponse.Status, _ error: String, _ description: String) -> Response {
        SandboxJSON.response(["error": error, "error_description": description], status: status)
    }

    static func page(_ title: String, _ body: String, status: HTTPResponse.Status = .ok) -> Response {
        let html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>\(title)</title></head><body><h1>\(title)</h1>\(body)</body></html>"
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
