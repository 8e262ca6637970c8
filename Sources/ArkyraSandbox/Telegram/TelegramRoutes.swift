import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Telegram's Bot API as its documentation describes it, under `/telegram/bot<token>/<method>`: getMe,
/// getUpdates, getChat, getChatMember, sendMessage, sendPhoto, sendMediaGroup, deleteMessage and
/// deleteMessages; parameters in the query string, JSON, a form or multipart (objects as JSON text, files
/// as `attach://<part>`). Every answer is `{"ok": true, "result": …}` or `{"ok": false, "error_code",
/// "description"}` (429 with `parameters.retry_after`): 401 "Unauthorized" for a token that is not the bot's,
/// 404 "Not Found" for an unknown method; at most 20 messages a minute per chat.
struct TelegramRoutes {
    let sandbox: SandboxState
    let state: TelegramState
    static let platform = "telegram"
    static let maximumText = 4096
    static let maximumCaption = 1024
    static let messagesPerMinute = 20

    func add(to group: RouterGroup<BasicRequestContext>) {
        for method in [HTTPRequest.Method.get, .post] {
            group.on(":bot/:method", method: method) { request, context in
                let body = try await request.body.collect(upTo: 60 * 1024 * 1024)
                return await answer(request, context: context, body: body)
            }
        }
    }

    private func answer(_ request: Request, context: BasicRequestContext, body: ByteBuffer) async -> Response {
        let now = Date()
        let method = context.parameters.get("method") ?? ""
        let input = Self.parameters(request, body: body)
        let response: Response
        if context.parameters.get("bot") != "bot\(state.botToken)" {
            response = Self.error(401, "Unauthorized")
        } else {
            response = await faults.answer(await sandbox.takeFault(platform: Self.platform, path: request.uri.path), now: now) {
                await call(method, input.fields, files: input.files, now: now)
            }
        }
        let shown = input.files.isEmpty ? String(buffer: body) : "(multipart: \(input.fields.keys.sorted().joined(separator: ", ")); files \(input.files.keys.sorted().joined(separator: ", ")))"
        await sandbox.record(RecordedRequest(
            platform: Self.platform, method: request.method.rawValue, path: "/telegram/bot…/\(method)", idempotencyKey: nil,
            body: shown, status: Int(response.status.code), receivedAt: now
        ))
        return response
    }

    private func call(_ method: String, _ input: [String: Any], files: [String: Data], now: Date) async -> Response {
        switch method {
        case "getMe":
            return Self.ok(botJSON)
        case "getUpdates":
            let limit = Self.int(input["limit"]) ?? 100
            let updates = await state.updates(offset: Self.int(input["offset"]), limit: min(max(limit, 1), 100))
            var chats: [Int64: TelegramState.Chat] = [:]
            for update in updates { chats[update.message.chatID] = await state.chat(String(update.message.chatID)) }
            return Self.ok(updates.map { update -> [String: Any] in
                let chat = chats[update.message.chatID]
                let key = chat?.type == "channel" ? "channel_post" : "message"
                return ["update_id": update.id, key: messageJSON(update.message, chat: chat)]
            })
        case "getChat":
            guard let chat = await chat(input) else { return Self.error(400, "Bad Request: chat not found") }
            return Self.ok(chatJSON(chat, full: true))
        case "getChatMember":
            guard let chat = await chat(input) else { return Self.error(400, "Bad Request: chat not found") }
            guard let userID = Self.int(input["user_id"]).map(Int64.init) else { return Self.error(400, "Bad Request: user_id is empty") }
            let status = userID == state.botID ? chat.botStatus : "member"
            var member: [String: Any] = ["status": status, "user": userID == state.botID ? botJSON : ["id": userID, "is_bot": false, "first_name": "Member"]]
            if status == "administrator" {
                member.merge(["can_be_edited": false, "is_anonymous": false, "can_manage_chat": true, "can_delete_messages": true,
                              "can_manage_video_chats": false, "can_restrict_members": false, "can_promote_members": false, "can_change_info": false,
                              "can_invite_users": false, "can_post_stories": false, "can_edit_stories": false, "can_delete_stories": false,
                              "can_post_messages": true, "can_edit_messages": true]) { $1 }
            }
            return Self.ok(member)
        case "sendMessage", "sendPhoto", "sendMediaGroup":
            return await send(method, input, files: files, now: now)
        case "deleteMessage", "deleteMessages":
            guard let chat = await chat(input) else { return Self.error(400, "Bad Request: chat not found") }
            let ids = method == "deleteMessage" ? [Self.int(input["message_id"])].compactMap { $0 } : ((input["message_ids"] as? [Any]) ?? []).compactMap(Self.int)
            guard !ids.isEmpty else { return Self.error(400, "Bad Request: message identifier is not specified") }
            var deleted = false
            for id in ids {
                if let message = await state.message(id, in: chat.id), message.fromBot || chat.botStatus == "administrator" {
                    deleted = await state.delete(id, in: chat.id) || deleted
                }
            }
            // deleteMessages skips what it cannot delete; deleteMessage names it.
            if method == "deleteMessage" && !deleted { return Self.error(400, "Bad Request: message to delete not found") }
            return Self.ok(true)
        default:
            return Self.error(404, "Not Found")
        }
    }

    private func send(_ method: String, _ input: [String: Any], files: [String: Data], now: Date) async -> Response {
        guard let chat = await chat(input) else { return Self.error(400, "Bad Request: chat not found") }
        guard chat.botStatus == "administrator" || (chat.type != "channel" && chat.botStatus == "member") else {
            return Self.error(403, chat.type == "channel" ? "Forbidden: bot is not a member of the channel chat" : "Forbidden: bot was kicked from the group chat")
        }
        let limit = await sandbox.countRequest(bucket: "telegram-send", accountID: String(chat.id), limit: Self.messagesPerMinute, window: 60, now: now)
        if limit.exceeded {
            let wait = max(1, Int(limit.reset.timeIntervalSince(now).rounded(.up)))
            return Self.error(429, "Too Many Requests: retry after \(wait)", retryAfter: wait)
        }
        let replyTo = Self.int((input["reply_parameters"] as? [String: Any])?["message_id"]) ?? Self.int(input["reply_to_message_id"])
        if let replyTo, await state.message(replyTo, in: chat.id) == nil {
            return Self.error(400, "Bad Request: message to be replied not found")
        }
        switch method {
        case "sendMessage":
            let text = (input["text"] as? String) ?? ""
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return Self.error(400, "Bad Request: message text is empty") }
            if text.utf16.count > Self.maximumText { return Self.error(400, "Bad Request: message is too long") }
            let message = await state.post(in: chat.id, text: text, replyTo: replyTo, fromBot: true, now: now)
            return Self.ok(messageJSON(message, chat: chat))
        case "sendPhoto":
            let caption = input["caption"] as? String
            if (caption?.utf16.count ?? 0) > Self.maximumCaption { return Self.error(400, "Bad Request: message caption is too long") }
            guard let photo = Self.file(input["photo"], files, field: "photo") else { return Self.error(400, "Bad Request: there is no photo in the request") }
            guard let size = Self.photoSize(photo) else { return Self.error(400, "Bad Request: IMAGE_PROCESS_FAILED") }
            let message = await state.post(in: chat.id, text: nil, caption: caption, photo: size, replyTo: replyTo, fromBot: true, now: now)
            return Self.ok(messageJSON(message, chat: chat))
        default:
            guard let media = input["media"] as? [[String: Any]], (2...10).contains(media.count) else {
                return Self.error(400, "Bad Request: wrong number of messages to send; 2-10 are needed")
            }
            var photos: [(caption: String?, size: (Int, Int, Int))] = []
            for item in media {
                guard item["type"] as? String == "photo" else { return Self.error(400, "Bad Request: only photos are emulated in media groups") }
                let caption = item["caption"] as? String
                if (caption?.utf16.count ?? 0) > Self.maximumCaption { return Self.error(400, "Bad Request: message caption is too long") }
                guard let file = Self.file(item["media"], files) else { return Self.error(400, "Bad Request: wrong file identifier/HTTP URL specified") }
                guard let size = Self.photoSize(file) else { return Self.error(400, "Bad Request: IMAGE_PROCESS_FAILED") }
                photos.append((caption, size))
            }
            let group = String(Int64.random(in: 10_000_000_000_000_000...99_999_999_999_999_999))
            var sent: [[String: Any]] = []
            for (index, photo) in photos.enumerated() {
                let message = await state.post(in: chat.id, text: nil, caption: photo.caption, photo: photo.size, replyTo: index == 0 ? replyTo : nil,
                                               fromBot: true, mediaGroupID: group, now: now)
                sent.append(messageJSON(message, chat: chat))
            }
            return Self.ok(sent)
        }
    }

    // MARK: Reading requests

    /// The parameters that hold objects or arrays, sent as JSON text in forms and multipart bodies.
    static let objectFields: Set<String> = ["reply_parameters", "media", "message_ids", "allowed_updates", "reply_markup", "entities", "caption_entities", "link_preview_options"]

    /// Fields from the query string and the body (JSON, a form, or multipart, whose object fields are read
    /// from their JSON text), and the uploaded files by part name.
    static func parameters(_ request: Request, body: ByteBuffer) -> (fields: [String: Any], files: [String: Data]) {
        var fields: [String: Any] = [:]
        var files: [String: Data] = [:]
        for (key, value) in request.uri.queryParameters { fields[String(key)] = String(value) }
        let contentType = request.headers[.contentType]
        if let parts = SandboxMultipart.parts(body, contentType: contentType) {
            for part in parts {
                if part.filename != nil { files[part.name] = part.data } else { fields[part.name] = String(decoding: part.data, as: UTF8.self) }
            }
        } else if let parsed = SandboxJSON.parameters(body, contentType: contentType) {
            fields.merge(parsed) { $1 }
        }
        for (key, value) in fields {
            if objectFields.contains(key), let text = value as? String,
               let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) {
                fields[key] = object
            }
        }
        return (fields, files)
    }

    /// An uploaded file a parameter names (`attach://<part>`, or the part itself under the parameter's name).
    static func file(_ value: Any?, _ files: [String: Data], field: String? = nil) -> Data? {
        if let name = (value as? String), name.hasPrefix("attach://") { return files[String(name.dropFirst("attach://".count))] }
        return field.flatMap { files[$0] }
    }

    static func photoSize(_ data: Data) -> (Int, Int, Int)? {
        guard SandboxMediaType.image(data) != nil else { return nil }
        let size = SandboxMediaType.pngSize(data) ?? (1280, 720)
        return (size.width, size.height, data.count)
    }

    static func int(_ value: Any?) -> Int? {
        if let number = value as? NSNumber { return number.intValue }
        if let text = value as? String { return Int(text) }
        return nil
    }

    private func chat(_ input: [String: Any]) async -> TelegramState.Chat? {
        guard let reference = input["chat_id"].map({ "\($0)" }), !reference.isEmpty else { return nil }
        return await state.chat(reference)
    }

    // MARK: Answers

    static func ok(_ result: Any) -> Response { SandboxJSON.response(["ok": true, "result": result]) }

    static func error(_ code: Int, _ description: String, retryAfter: Int? = nil) -> Response {
        var body: [String: Any] = ["ok": false, "error_code": code, "description": description]
        if let retryAfter { body["parameters"] = ["retry_after": retryAfter] }
        return SandboxJSON.response(body, status: HTTPResponse.Status(code: code))
    }

    private var faults: FaultResponses {
        FaultResponses(
            rateLimited: { reset in Self.error(429, "Too Many Requests: retry after \(max(1, Int(reset.timeIntervalSinceNow.rounded(.up))))",
                                               retryAfter: max(1, Int(reset.timeIntervalSinceNow.rounded(.up)))) },
            serverError: Self.error(500, "Internal Server Error"),
            invalidToken: Self.error(401, "Unauthorized"),
            expiredToken: Self.error(401, "Unauthorized")
        )
    }

    var botJSON: [String: Any] {
        ["id": state.botID, "is_bot": true, "first_name": "ARKYRA sandbox", "username": state.botUsername, "can_join_groups": true,
         "can_read_all_group_messages": false, "supports_inline_queries": false, "can_connect_to_business": false, "has_main_web_app": false]
    }

    func chatJSON(_ chat: TelegramState.Chat, full: Bool = false) -> [String: Any] {
        var json: [String: Any] = ["id": chat.id, "type": chat.type, "title": chat.title]
        if let username = chat.username { json["username"] = username }
        if full {
            json.merge(["accent_color_id": 0, "max_reaction_count": 11,
                        "accepted_gift_types": ["unlimited_gifts": false, "limited_gifts": false, "unique_gifts": false, "premium_subscription": false, "gifts_from_channels": false]]) { $1 }
        }
        return json
    }

    func messageJSON(_ message: TelegramState.Message, chat: TelegramState.Chat?) -> [String: Any] {
        let chatJSON = chat.map { self.chatJSON($0) } ?? ["id": message.chatID, "type": "channel", "title": "?"]
        var json: [String: Any] = ["message_id": message.id, "date": Int(message.date.timeIntervalSince1970), "chat": chatJSON]
        if chat?.type == "channel" {
            json["sender_chat"] = chatJSON
        } else {
            json["from"] = message.fromBot ? botJSON : ["id": 5_000_000_001, "is_bot": false, "first_name": "Ada"]
        }
        if let text = message.text { json["text"] = text }
        if let caption = message.caption { json["caption"] = caption }
        if let photo = message.photo {
            let id = "AgACAgQAAxkDAAI\(message.chatID)\(message.id)"
            json["photo"] = [["file_id": id, "file_unique_id": "AQAD\(message.id)", "width": photo.width, "height": photo.height, "file_size": photo.size]]
        }
        if let group = message.mediaGroupID { json["media_group_id"] = group }
        if let replyTo = message.replyTo { json["reply_to_message"] = ["message_id": replyTo, "date": Int(message.date.timeIntervalSince1970), "chat": chatJSON] }
        return json
    }
}
