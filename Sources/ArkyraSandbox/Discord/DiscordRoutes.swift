import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Discord's HTTP API (v10) as its documentation describes it, under `/discord`: the OAuth 2.0 consent page
/// (`/oauth2/authorize`; with the `bot` scope it adds the bot to the consenting account's server, named in
/// the redirect's `guild_id` and the token answer's `guild`) and token endpoint (`/api/v10/oauth2/token`);
/// with the bot's token (`Authorization: Bot …`): a server's channels, creating messages (JSON, or
/// multipart with `payload_json` and `files[n]`; replies by `message_reference`; `nonce` with
/// `enforce_nonce`), reading and deleting them. Errors are `{"message", "code"}` (400 adds `errors`); a
/// channel takes 5 messages per 5 seconds from the bot (`X-RateLimit-*`; past it 429 with `retry_after`).
struct DiscordRoutes {
    let sandbox: SandboxState
    let oauth: OAuthServer
    let state: DiscordState
    static let platform = "discord"
    static let maximumContent = 2000
    static let messagesPerWindow = 5

    func add(to group: RouterGroup<BasicRequestContext>) {
        var endpoints = OAuthEndpoints(server: oauth, consentPath: "/discord/oauth2/authorize")
        endpoints.install = { [state, oauth] accountID in
            let account = await oauth.account(id: accountID)
            let guild = await state.guild(ownedBy: accountID, name: account?.username ?? "sandbox")
            let fields: [String: Any] = ["guild": ["id": guild.id, "name": guild.name, "icon": NSNull(), "owner_id": accountID]]
            return OAuthEndpoints.Install(
                redirect: ["guild_id": guild.id, "permissions": "109568"],
                tokenFields: (try? JSONSerialization.data(withJSONObject: fields)) ?? Data("{}".utf8)
            )
        }
        endpoints.add(to: group, consentPath: "oauth2/authorize", tokenPath: "api/v10/oauth2/token") { request, body, handler in
            await record(request, body: body, handler)
        }
        group.get("api/v10/guilds/:guild/channels") { request, context in
            await bot(request, body: ByteBuffer()) { _ in
                let guild = context.parameters.get("guild") ?? ""
                guard await state.guilds.contains(where: { $0.id == guild }) else { return Self.error(.notFound, 10004, "Unknown Guild") }
                return SandboxJSON.response(await state.channels(of: guild).map { channel -> [String: Any] in
                    var json: [String: Any] = ["id": channel.id, "type": channel.type, "guild_id": channel.guildID, "name": channel.name,
                                               "position": channel.position, "permission_overwrites": [Any](), "nsfw": false]
                    if channel.type != 4 { json["parent_id"] = NSNull() }
                    return json
                })
            }
        }
        group.post("api/v10/channels/:channel/messages") { request, context in
            let body = try await request.body.collect(upTo: 30 * 1024 * 1024)
            return await bot(request, body: body) { now in
                await create(in: context.parameters.get("channel") ?? "", request: request, body: body, now: now)
            }
        }
        group.get("api/v10/channels/:channel/messages/:message") { request, context in
            await bot(request, body: ByteBuffer()) { _ in
                guard let channel = await state.channel(context.parameters.get("channel") ?? "") else { return Self.error(.notFound, 10003, "Unknown Channel") }
                guard let message = await state.message(context.parameters.get("message") ?? "", in: channel.id) else {
                    return Self.error(.notFound, 10008, "Unknown Message")
                }
                return SandboxJSON.response(messageJSON(message))
            }
        }
        group.delete("api/v10/channels/:channel/messages/:message") { request, context in
            await bot(request, body: ByteBuffer()) { _ in
                guard let channel = await state.channel(context.parameters.get("channel") ?? "") else { return Self.error(.notFound, 10003, "Unknown Channel") }
                guard channel.botAllowed else { return Self.error(.forbidden, 50001, "Missing Access") }
                guard await state.delete(context.parameters.get("message") ?? "", in: channel.id) else { return Self.error(.notFound, 10008, "Unknown Message") }
                return Response(status: .noContent)
            }
        }
    }

    private func create(in channelID: String, request: Request, body: ByteBuffer, now: Date) async -> Response {
        guard let channel = await state.channel(channelID) else { return Self.error(.notFound, 10003, "Unknown Channel") }
        guard channel.botAllowed else { return Self.error(.forbidden, 50001, "Missing Access") }
        guard channel.type == 0 || channel.type == 5 else { return Self.error(.badRequest, 50008, "Cannot send messages in a non-text channel") }
        let limit = await sandbox.countRequest(bucket: "discord-messages", accountID: channelID, limit: Self.messagesPerWindow, window: 5, now: now)
        let headers: HTTPFields = [
            HTTPField.Name("X-RateLimit-Limit")!: String(Self.messagesPerWindow), HTTPField.Name("X-RateLimit-Remaining")!: String(limit.remaining),
            HTTPField.Name("X-RateLimit-Reset-After")!: String(format: "%.3f", max(0, limit.reset.timeIntervalSince(now))),
            HTTPField.Name("X-RateLimit-Bucket")!: "sandbox-\(channelID)",
        ]
        if limit.exceeded { return rateLimited(after: max(0.001, limit.reset.timeIntervalSince(now))) }
        var payload: [String: Any] = [:]
        var files: [String: (filename: String, data: Data)] = [:]
        if let parts = SandboxMultipart.parts(body, contentType: request.headers[.contentType]) {
            for part in parts {
                if part.name == "payload_json" {
                    payload = ((try? JSONSerialization.jsonObject(with: part.data)) as? [String: Any]) ?? [:]
                } else if let filename = part.filename {
                    files[part.name] = (filename, part.data)
                }
            }
        } else {
            guard let parsed = SandboxJSON.parameters(body, contentType: "application/json") else {
                return Self.error(.badRequest, 50109, "The request body contains invalid JSON.")
            }
            payload = parsed
        }
        let content = payload["content"] as? String ?? ""
        if content.utf16.count > Self.maximumContent {
            return Self.formError(["content": "Must be 2000 or fewer in length."])
        }
        if content.isEmpty && files.isEmpty { return Self.error(.badRequest, 50006, "Cannot send an empty message") }
        if let nonce = payload["nonce"] as? String, nonce.count > 25 { return Self.formError(["nonce": "Must be 25 or fewer in length."]) }
        var replyTo: String?
        if let reference = payload["message_reference"] as? [String: Any], let id = reference["message_id"] as? String {
            if await state.message(id, in: channelID) == nil {
                if reference["fail_if_not_exists"] as? Bool != false {
                    return Self.formError(["message_reference": "Unknown message"])
                }
            } else {
                replyTo = id
            }
        }
        let described = (payload["attachments"] as? [[String: Any]]) ?? []
        var attachments: [(String, Int, String?)] = []
        for (name, file) in files.sorted(by: { $0.key < $1.key }) {
            let index = Int(name.dropFirst("files[".count).dropLast()) ?? -1
            let description = described.first { ($0["id"] as? Int) == index || ($0["id"] as? String) == String(index) }?["description"] as? String
            attachments.append((file.filename, file.data.count, description))
        }
        let message = await state.post(in: channelID, content: content, replyTo: replyTo, attachments: attachments, nonce: payload["nonce"] as? String,
                                       enforced: payload["enforce_nonce"] as? Bool == true, now: now)
        return SandboxJSON.response(messageJSON(message), headers: headers)
    }

    private func messageJSON(_ message: DiscordState.Message) -> [String: Any] {
        var json: [String: Any] = [
            "id": message.id, "channel_id": message.channelID, "content": message.content, "type": message.replyTo == nil ? 0 : 19,
            "timestamp": SandboxJSON.timestamp(message.createdAt), "edited_timestamp": NSNull(), "tts": false, "mention_everyone": false,
            "mentions": [Any](), "mention_roles": [Any](), "embeds": [Any](), "pinned": false, "flags": 0,
            "author": ["id": "1300000000000000001", "username": "ARKYRA sandbox", "discriminator": "0000", "bot": true, "avatar": NSNull(), "global_name": NSNull()],
            "attachments": message.attachments.enumerated().map { index, file -> [String: Any] in
                ["id": "\(message.id)\(index)", "filename": file.filename, "size": file.size, "description": file.description as Any? ?? NSNull(),
                 "url": "https://cdn.discordapp.com/attachments/\(message.channelID)/\(message.id)/\(file.filename)",
                 "proxy_url": "https://media.discordapp.net/attachments/\(message.channelID)/\(message.id)/\(file.filename)"]
            },
        ]
        if let nonce = message.nonce { json["nonce"] = nonce }
        if let replyTo = message.replyTo { json["message_reference"] = ["type": 0, "message_id": replyTo, "channel_id": message.channelID] }
        return json
    }

    /// Checks the bot's token, applies injected faults, runs `handler` and records the exchange.
    private func bot(_ request: Request, body: ByteBuffer, _ handler: (Date) async -> Response) async -> Response {
        await record(request, body: body) { now in
            guard request.headers[.authorization] == "Bot \(state.botToken)" else { return Self.error(.unauthorized, 0, "401: Unauthorized") }
            return await faults.answer(await sandbox.takeFault(platform: Self.platform, path: request.uri.path), now: now) { await handler(now) }
        }
    }

    private func record(_ request: Request, body: ByteBuffer, _ handler: (Date) async -> Response) async -> Response {
        let now = Date()
        let response = await handler(now)
        let shown = request.headers[.contentType]?.hasPrefix("multipart/") == true ? "(\(body.readableBytes) bytes of multipart)" : String(buffer: body)
        await sandbox.record(RecordedRequest(
            platform: Self.platform, method: request.method.rawValue, path: request.uri.path, idempotencyKey: nil, body: shown,
            status: Int(response.status.code), receivedAt: now
        ))
        return response
    }

    private var faults: FaultResponses {
        FaultResponses(
            rateLimited: { reset in rateLimited(after: max(0.001, reset.timeIntervalSinceNow)) },
            serverError: Self.error(.internalServerError, 0, "500: Internal Server Error"),
            invalidToken: Self.error(.unauthorized, 0, "401: Unauthorized"),
            expiredToken: Self.error(.unauthorized, 0, "401: Unauthorized")
        )
    }

    private func rateLimited(after seconds: TimeInterval) -> Response {
        SandboxJSON.response(["message": "You are being rate limited.", "retry_after": (seconds * 1000).rounded() / 1000, "global": false, "code": 0],
                             status: .tooManyRequests, headers: [
                                 HTTPField.Name("Retry-After")!: String(Int(seconds.rounded(.up))), HTTPField.Name("X-RateLimit-Remaining")!: "0",
                                 HTTPField.Name("X-RateLimit-Reset-After")!: String(format: "%.3f", seconds), HTTPField.Name("X-RateLimit-Scope")!: "user",
                             ])
    }

    static func error(_ status: HTTPResponse.Status, _ code: Int, _ message: String) -> Response {
        SandboxJSON.response(["message": message, "code": code], status: status)
    }

    /// 400 Invalid Form Body, with each field's problem as Discord nests them.
    static func formError(_ problems: [String: String]) -> Response {
        let errors = problems.mapValues { ["_errors": [["code": "BASE_TYPE_BAD_LENGTH", "message": $0]]] }
        return SandboxJSON.response(["message": "Invalid Form Body", "code": 50035, "errors": errors], status: .badRequest)
    }
}
