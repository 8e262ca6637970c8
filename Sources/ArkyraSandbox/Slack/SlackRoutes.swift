import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Slack's Web API as its documentation describes it, under `/slack`: the OAuth v2 consent page
/// (`/oauth/v2/authorize`, which installs the app's bot in the consenting account's workspace) and
/// `api/oauth.v2.access`; with the bot token (`Authorization: Bearer xoxb-…` or a `token` parameter):
/// auth.test, conversations.list, chat.postMessage (threads by `thread_ts`), chat.getPermalink and
/// chat.delete. Parameters come as a form, JSON or the query string. Every answer is HTTP 200 with
/// `{"ok": true, …}` or `{"ok": false, "error": "<code>"}`, except rate limits: 429 with `Retry-After`
/// (chat.postMessage: about one message a second per channel, short bursts allowed).
struct SlackRoutes {
    let sandbox: SandboxState
    let oauth: OAuthServer
    let state: SlackState
    static let platform = "slack"
    static let maximumText = 40_000
    static let burst = 3

    func add(to group: RouterGroup<BasicRequestContext>) {
        OAuthEndpoints(server: oauth, consentPath: "/slack/oauth/v2/authorize")
            .add(to: group, consentPath: "oauth/v2/authorize", tokenPath: nil) { request, body, handler in await record(request, body: body, handler) }
        group.post("api/:method") { request, context in
            let body = try await request.body.collect(upTo: 1024 * 1024)
            return await record(request, body: body) { now in await call(context.parameters.get("method") ?? "", request, body: body, now: now) }
        }
        group.get("api/:method") { request, context in
            await record(request, body: ByteBuffer()) { now in await call(context.parameters.get("method") ?? "", request, body: ByteBuffer(), now: now) }
        }
    }

    private func call(_ method: String, _ request: Request, body: ByteBuffer, now: Date) async -> Response {
        var input: [String: Any] = [:]
        for (key, value) in request.uri.queryParameters { input[String(key)] = String(value) }
        input.merge(SandboxJSON.parameters(body, contentType: request.headers[.contentType] ?? "application/x-www-form-urlencoded") ?? [:]) { $1 }
        if method == "oauth.v2.access" { return await access(input, request: request, now: now) }
        let token = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? input["token"] as? String
        guard let token else { return Self.failure("not_authed") }
        guard let installation = await state.installation(token: token), let workspace = await state.workspace(installation.workspaceID) else {
            return Self.failure("invalid_auth")
        }
        return await faults.answer(await sandbox.takeFault(platform: Self.platform, path: request.uri.path), now: now) {
            await authenticated(method, input, installation: installation, workspace: workspace, now: now)
        }
    }

    private func authenticated(_ method: String, _ input: [String: Any], installation: SlackState.Installation, workspace: SlackState.Workspace, now: Date) async -> Response {
        let string = { (name: String) in input[name].map { "\($0)" } }
        switch method {
        case "auth.test":
            return Self.success(["url": "https://\(workspace.domain).slack.com/", "team": workspace.name, "user": "arkyra", "team_id": workspace.id,
                                 "user_id": "U0ARKYRABOT", "bot_id": "B0ARKYRABOT", "is_enterprise_install": false])
        case "conversations.list":
            guard installation.scopes.contains("channels:read") else { return Self.failure("missing_scope", ["needed": "channels:read"]) }
            let types = Set((string("types") ?? "public_channel").split(separator: ",").map(String.init))
            let limit = min(max(Int(string("limit") ?? "") ?? 100, 1), 1000)
            var listed = await state.channels(of: workspace.id).filter { types.contains($0.isPrivate ? "private_channel" : "public_channel") }
            // A bot sees private channels only when it is in them.
            listed = listed.filter { !$0.isPrivate || $0.botIsMember }
            if string("exclude_archived") == "true" { listed = listed.filter { !$0.isArchived } }
            let start = Int(string("cursor").flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }?.dropFirst("offset:".count) ?? "") ?? 0
            let page = Array(listed.dropFirst(start).prefix(limit))
            let next = start + page.count < listed.count ? Data("offset:\(start + page.count)".utf8).base64EncodedString() : ""
            return Self.success(["channels": page.map { channel -> [String: Any] in
                ["id": channel.id, "name": channel.name, "is_channel": !channel.isPrivate, "is_group": channel.isPrivate, "is_im": false,
                 "is_private": channel.isPrivate, "is_member": channel.botIsMember, "is_archived": channel.isArchived, "is_general": channel.name == "general",
                 "created": 1_700_000_000, "num_members": 3]
            }, "response_metadata": ["next_cursor": next]])
        case "chat.postMessage":
            guard let id = string("channel"), let channel = await state.channel(id, in: workspace.id) else { return Self.failure("channel_not_found") }
            if channel.isArchived { return Self.failure("is_archived") }
            if !channel.botIsMember && (channel.isPrivate || !installation.scopes.contains("chat:write.public")) { return Self.failure("not_in_channel") }
            let limit = await sandbox.countRequest(bucket: "slack-post", accountID: channel.id, limit: Self.burst, window: 3, now: now)
            if limit.exceeded {
                return SandboxJSON.response(["ok": false, "error": "ratelimited"], status: .tooManyRequests,
                                            headers: [HTTPField.Name("Retry-After")!: String(max(1, Int(limit.reset.timeIntervalSince(now).rounded(.up))))])
            }
            let text = string("text") ?? ""
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return Self.failure("no_text") }
            if text.count > Self.maximumText { return Self.failure("msg_too_long") }
            let thread = string("thread_ts")
            if let thread, await state.message(thread, in: channel.id) == nil { return Self.failure("thread_not_found") }
            let message = await state.post(in: channel.id, text: text, threadTS: thread)
            var shown: [String: Any] = ["type": "message", "subtype": "bot_message", "text": message.text, "user": "U0ARKYRABOT", "bot_id": "B0ARKYRABOT",
                                        "ts": message.ts, "team": workspace.id]
            if let thread { shown["thread_ts"] = thread }
            return Self.success(["channel": channel.id, "ts": message.ts, "message": shown])
        case "chat.getPermalink":
            guard let id = string("channel"), let channel = await state.channel(id, in: workspace.id) else { return Self.failure("channel_not_found") }
            guard let ts = string("message_ts"), let message = await state.message(ts, in: channel.id) else { return Self.failure("message_not_found") }
            var link = "https://\(workspace.domain).slack.com/archives/\(channel.id)/p\(message.ts.replacingOccurrences(of: ".", with: ""))"
            if let thread = message.threadTS { link += "?thread_ts=\(thread)&cid=\(channel.id)" }
            return Self.success(["channel": channel.id, "permalink": link])
        case "chat.delete":
            guard let id = string("channel"), let channel = await state.channel(id, in: workspace.id) else { return Self.failure("channel_not_found") }
            guard let ts = string("ts"), await state.delete(ts, in: channel.id) else { return Self.failure("message_not_found") }
            return Self.success(["channel": channel.id, "ts": ts])
        default:
            return Self.failure("unknown_method")
        }
    }

    /// `oauth.v2.access`: the code for a bot token of the consenting account's workspace.
    private func access(_ input: [String: Any], request: Request, now: Date) async -> Response {
        var clientID = input["client_id"] as? String ?? "", secret = input["client_secret"] as? String ?? ""
        if let header = request.headers[.authorization], header.hasPrefix("Basic "),
           let decoded = Data(base64Encoded: String(header.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }), let colon = decoded.firstIndex(of: ":") {
            clientID = String(decoded[..<colon])
            secret = String(decoded[decoded.index(after: colon)...])
        }
        guard let app = await oauth.apps[clientID] else { return Self.failure("invalid_client_id") }
        guard app.clientSecret == secret else { return Self.failure("bad_client_secret") }
        let issued: OAuthServer.Issued
        do {
            issued = try await oauth.exchange(code: input["code"] as? String ?? "", clientID: clientID, redirectURI: input["redirect_uri"] as? String ?? "",
                                              verifier: input["code_verifier"] as? String ?? "", now: now)
        } catch .redirectMismatch {
            return Self.failure("bad_redirect_uri")
        } catch {
            return Self.failure("invalid_code")
        }
        let account = await oauth.account(id: issued.token.accountID)
        let workspace = await state.workspace(ownedBy: issued.token.accountID, name: account?.username ?? "sandbox")
        let scopes = Set(issued.token.scope.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init))
        let token = await state.install(in: workspace.id, scopes: scopes)
        return Self.success([
            "app_id": "A0ARKYRASBX", "authed_user": ["id": "U" + issued.token.accountID.prefix(10).uppercased()], "scope": scopes.sorted().joined(separator: ","),
            "token_type": "bot", "access_token": token, "bot_user_id": "U0ARKYRABOT", "team": ["id": workspace.id, "name": workspace.name],
            "enterprise": NSNull(), "is_enterprise_install": false,
        ])
    }

    private func record(_ request: Request, body: ByteBuffer, _ handler: (Date) async -> Response) async -> Response {
        let now = Date()
        let response = await handler(now)
        await sandbox.record(RecordedRequest(
            platform: Self.platform, method: request.method.rawValue, path: request.uri.path, idempotencyKey: nil, body: String(buffer: body),
            status: Int(response.status.code), receivedAt: now
        ))
        return response
    }

    private var faults: FaultResponses {
        FaultResponses(
            rateLimited: { reset in
                SandboxJSON.response(["ok": false, "error": "ratelimited"], status: .tooManyRequests,
                                     headers: [HTTPField.Name("Retry-After")!: String(max(1, Int(reset.timeIntervalSinceNow.rounded(.up))))])
            },
            serverError: SandboxJSON.response(["ok": false, "error": "internal_error"], status: .internalServerError),
            invalidToken: Self.failure("invalid_auth"), expiredToken: Self.failure("token_expired")
        )
    }

    static func success(_ fields: [String: Any]) -> Response {
        SandboxJSON.response(fields.merging(["ok": true]) { $1 })
    }

    static func failure(_ error: String, _ extra: [String: Any] = [:]) -> Response {
        SandboxJSON.response(extra.merging(["ok": false, "error": error]) { $1 })
    }
}
