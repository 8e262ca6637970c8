import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Telegram channels and groups through the Bot API, as the installation's bot (`ARKYRA_TELEGRAM_BOT_TOKEN`):
/// a person adds the bot to the chat (an administrator allowed to post, in a channel) and sends
/// `/connect CODE` there; the API finds the code among the bot's updates (ChatCodeConnectService). Posts are
/// sendMessage, sendPhoto or sendMediaGroup (a text too long for a caption follows the files as a reply);
/// a thread item replies to the first message of the item before it. A post's platform id lists its
/// messages (`12` or `12,13,14`), which deleteMessages removes. The Bot API takes no idempotency key and
/// lets bots read no history, so a post whose outcome is unknown is left for a person to check.
package struct TelegramProvider: Provider {
    package let identifier = "telegram"
    package let displayName = "Telegram"
    package let connectMethod = ConnectMethod.chatCode
    package let requiresInstanceURL = false
    package let supportsIdempotencyKeys = false
    package let maximumCharacters = 4096
    static let maximumCaption = 1024
    /// 20 messages a minute per group; retry_after names the wait.
    package let rateLimitWindow: TimeInterval = 60
    package let countingRule: String? = "Telegram counts UTF-16 code units: most emoji count as 2"
    /// sendPhoto: photos up to 10 MB; a media group holds up to 10.
    package let mediaRules = MediaRules(maximumItems: 10, kinds: [.image], maximumImageBytes: 10 * 1024 * 1024)
    package let deletesPosts = true
    package let bot: PlatformConfiguration.Bot?
    let http: PlatformHTTP

    package init(http: PlatformHTTP, bot: PlatformConfiguration.Bot?) {
        self.http = http
        self.bot = bot
    }

    package func characterCount(of text: String) -> Int { text.utf16.count }

    package func connect(_ request: ConnectRequest) async throws -> ConnectedAccount {
        throw ProviderError.rejected(status: 0, message: "Telegram chats connect with a code sent in the chat, not with a token")
    }

    /// The bot's username (`getMe`), for the instructions a person follows.
    package func botUsername() async throws -> String {
        let me = try await call("getMe", [:], as: TelegramUser.self, mutates: false)
        return me.username ?? String(me.id)
    }

    /// The chat `chatID` as a channel ARKYRA can post to.
    /// - Throws: ``ProviderError/rejected(status:message:)`` when the bot may not post there, in words a
    ///   person can act on.
    package func account(ofChat chatID: Int64) async throws -> ConnectedAccount {
        let chat = try await call("getChat", ["chat_id": chatID], as: TelegramChat.self, mutates: false)
        let me = try await call("getMe", [:], as: TelegramUser.self, mutates: false)
        let member = try await call("getChatMember", ["chat_id": chatID, "user_id": me.id], as: TelegramChatMember.self, mutates: false)
        let canPost = chat.type == "channel" ? member.status == "administrator" && member.canPostMessages != false
            : ["administrator", "member", "creator"].contains(member.status)
        guard canPost else {
            throw ProviderError.rejected(status: 403, message: chat.type == "channel"
                ? "@\(me.username ?? "the bot") is not an administrator of \(chat.title ?? "the channel") allowed to post messages; make it one, then send the command again"
                : "@\(me.username ?? "the bot") is not a member of \(chat.title ?? "the group"); add it, then send the command again")
        }
        return ConnectedAccount(
            account: ProviderAccount(id: String(chat.id), name: chat.title ?? chat.username ?? String(chat.id), username: chat.username ?? "", avatarURL: nil),
            // The bot's token comes from the configuration; the channel keeps only which chat it is.
            credentials: ProviderCredentials(accessToken: "telegram-chat:\(chat.id)", instanceURL: nil)
        )
    }

    /// Updates after `offset` (confirming those before it): messages and channel posts, with their chat and text.
    package func updates(offset: Int?) async throws -> [TelegramUpdate] {
        var parameters: [String: Any] = ["allowed_updates": ["message", "channel_post"], "timeout": 0, "limit": 100]
        if let offset { parameters["offset"] = offset }
        return try await call("getUpdates", parameters, as: [TelegramUpdate].self, mutates: false)
    }

    package func publish(_ post: PublishRequest) async throws -> PublishedPost {
        guard let chatID = post.accountID.flatMap(Int64.init) else {
            throw ProviderError.rejected(status: 0, message: "the channel names no Telegram chat; connect it again")
        }
        let replyTo = post.replyTo.flatMap { $0.split(separator: ",").first.flatMap { Int($0) } }
        var sent: [TelegramMessage] = []
        do {
            let caption = post.content.utf16.count <= Self.maximumCaption ? post.content : nil
            if post.media.count == 1 {
                sent = [try await sendPhoto(post.media[0], of: post, chatID: chatID, caption: caption, replyTo: replyTo)]
            } else if post.media.count > 1 {
                sent = try await sendMediaGroup(post, chatID: chatID, caption: caption, replyTo: replyTo)
            }
            if sent.isEmpty || caption == nil, !post.content.isEmpty {
                var parameters: [String: Any] = ["chat_id": chatID, "text": post.content]
                if let reply = sent.first?.messageID ?? replyTo { parameters["reply_parameters"] = ["message_id": reply] }
                sent.append(try await call("sendMessage", parameters, as: TelegramMessage.self, mutates: true))
            }
        } catch let error as ProviderError where !sent.isEmpty {
            // Part of the post is in the chat already: sending it again would repeat that part.
            throw ProviderError.outcomeUnknown(message: "only part of the post went out (\(error)); check the chat")
        }
        guard let first = sent.first else { throw ProviderError.rejected(status: 0, message: "the post has neither text nor files") }
        return PublishedPost(platformID: sent.map { String($0.messageID) }.joined(separator: ","), url: Self.link(to: first))
    }

    package func delete(_ post: DeleteRequest) async throws {
        guard let chatID = post.accountID.flatMap(Int64.init) else {
            throw ProviderError.rejected(status: 0, message: "the channel names no Telegram chat")
        }
        let ids = post.platformID.split(separator: ",").compactMap { Int($0) }
        guard !ids.isEmpty else { throw ProviderError.rejected(status: 0, message: "\(post.platformID) names no Telegram message") }
        // deleteMessages skips messages that are gone already.
        _ = try await call("deleteMessages", ["chat_id": chatID, "message_ids": ids], as: Bool.self, mutates: false)
    }

    private func sendPhoto(_ file: PublishMedia, of post: PublishRequest, chatID: Int64, caption: String?, replyTo: Int?) async throws -> TelegramMessage {
        var fields: [String: String] = ["chat_id": String(chatID)]
        if let caption { fields["caption"] = caption }
        if let replyTo { fields["reply_parameters"] = #"{"message_id":\#(replyTo)}"# }
        let bytes = try await post.contents(of: file, maximumBytes: mediaRules.maximumImageBytes)
        return try await upload("sendPhoto", fields: fields, files: [("photo", file, bytes)], as: TelegramMessage.self)
    }

    private func sendMediaGroup(_ post: PublishRequest, chatID: Int64, caption: String?, replyTo: Int?) async throws -> [TelegramMessage] {
        var media: [[String: Any]] = []
        var files: [(String, PublishMedia, ByteBuffer)] = []
        for (index, file) in post.media.enumerated() {
            var item: [String: Any] = ["type": "photo", "media": "attach://file\(index)"]
            if index == 0, let caption { item["caption"] = caption }
            media.append(item)
            files.append(("file\(index)", file, try await post.contents(of: file, maximumBytes: mediaRules.maximumImageBytes)))
        }
        var fields: [String: String] = ["chat_id": String(chatID), "media": String(decoding: try JSONSerialization.data(withJSONObject: media), as: UTF8.self)]
        if let replyTo { fields["reply_parameters"] = #"{"message_id":\#(replyTo)}"# }
        return try await upload("sendMediaGroup", fields: fields, files: files, as: [TelegramMessage].self)
    }

    // MARK: Calls

    private func configuredBot() throws -> PlatformConfiguration.Bot {
        guard let bot else {
            throw ProviderError.rejected(status: 0, message: "this installation has no Telegram bot; an administrator sets ARKYRA_TELEGRAM_BOT_TOKEN")
        }
        return bot
    }

    /// Calls a Bot API method with JSON parameters and reads its `result`.
    func call<Result: Decodable>(_ method: String, _ parameters: [String: Any], as: Result.Type, mutates: Bool) async throws -> Result {
        var request = HTTPClientRequest(url: try configuredBot().method(method))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: parameters, options: [.withoutEscapingSlashes])))
        return try Self.result(of: try await http.send(request, mutates: mutates), as: Result.self, mutates: mutates)
    }

    private func upload<Result: Decodable>(_ method: String, fields: [String: String], files: [(String, PublishMedia, ByteBuffer)], as: Result.Type) async throws -> Result {
        let boundary = "arkyra-\(UUID().uuidString)"
        var body = ByteBuffer()
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        for (name, file, bytes) in files {
            let fileName = file.fileName.replacingOccurrences(of: "\"", with: "")
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(fileName)\"\r\nContent-Type: \(file.contentType)\r\n\r\n")
            var contents = bytes
            body.writeBuffer(&contents)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        var request = HTTPClientRequest(url: try configuredBot().method(method))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
        request.body = .bytes(body)
        return try Self.result(of: try await http.send(request, mutates: true), as: Result.self, mutates: true)
    }

    /// The `result` of an answer, or the error it describes: 429 waits `parameters.retry_after` seconds; 401
    /// is the bot's token refused (the configuration's, not the channel's); 403 the bot removed from the chat
    /// or not allowed to post (reconnect); other 4xx a refusal in Telegram's words.
    static func result<Result: Decodable>(of response: PlatformHTTP.Response, as: Result.Type, mutates: Bool, now: Date = Date()) throws -> Result {
        let envelope = response.decode(TelegramEnvelope<Result>.self)
        if response.status == 200, envelope?.ok == true, let result = envelope?.result { return result }
        if response.status == 200 {
            throw mutates ? ProviderError.outcomeUnknown(message: "Telegram's answer could not be read: \(response.summary)")
                : ProviderError.unavailable(message: "Telegram's answer could not be read: \(response.summary)")
        }
        let description = envelope?.description ?? response.summary
        switch response.status {
        case 401:
            throw ProviderError.invalidCredentials(message: "Telegram refused the bot's token (\(description)); an administrator checks ARKYRA_TELEGRAM_BOT_TOKEN")
        case 403:
            throw ProviderError.invalidCredentials(message: description)
        case 429:
            let wait = envelope?.parameters?.retryAfter ?? Int(response.headers.first(name: "Retry-After") ?? "")
            throw ProviderError.rateLimited(retryAt: wait.map { now.addingTimeInterval(TimeInterval($0)) }, message: description)
        default:
            throw ProviderError.classify(status: response.status, message: description, mutates: mutates, retryAt: nil)
        }
    }

    /// The message's link: `t.me/<username>/<id>` in a public chat, `t.me/c/<id>/<id>` in a private channel.
    static func link(to message: TelegramMessage) -> String? {
        if let username = message.chat.username, !username.isEmpty { return "https://t.me/\(username)/\(message.messageID)" }
        let id = String(message.chat.id)
        guard id.hasPrefix("-100") else { return nil }
        return "https://t.me/c/\(id.dropFirst(4))/\(message.messageID)"
    }
}

/// `{"ok", "result"}` or `{"ok": false, "error_code", "description", "parameters"}`.
struct TelegramEnvelope<Result: Decodable>: Decodable {
    struct Parameters: Decodable {
        var retryAfter: Int?
        enum CodingKeys: String, CodingKey { case retryAfter = "retry_after" }
    }

    var ok: Bool
    var result: Result?
    var description: String?
    var parameters: Parameters?
}

struct TelegramUser: Decodable {
    var id: Int64
    var username: String?
}

package struct TelegramChat: Decodable, Sendable {
    package var id: Int64
    package var type: String
    package var title: String?
    package var username: String?
}

struct TelegramChatMember: Decodable {
    var status: String
    var canPostMessages: Bool?
    enum CodingKeys: String, CodingKey {
        case status
        case canPostMessages = "can_post_messages"
    }
}

package struct TelegramMessage: Decodable, Sendable {
    package var messageID: Int
    package var chat: TelegramChat
    package var text: String?
    enum CodingKeys: String, CodingKey {
        case chat, text
        case messageID = "message_id"
    }
}

/// An update: a message in a group, or a post in a channel.
package struct TelegramUpdate: Decodable, Sendable {
    package var updateID: Int
    package var message: TelegramMessage?
    package var channelPost: TelegramMessage?
    enum CodingKeys: String, CodingKey {
        case message
        case updateID = "update_id"
        case channelPost = "channel_post"
    }

    /// The message it carries, whichever kind.
    package var anyMessage: TelegramMessage? { message ?? channelPost }
}
