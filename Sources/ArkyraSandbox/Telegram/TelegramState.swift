import Foundation

/// What the emulated Telegram Bot API remembers: the one bot, the chats it is in (channels and groups, where
/// it may be an administrator), the messages in them, and the updates waiting for getUpdates.
actor TelegramState {
    struct Chat: Sendable {
        var id: Int64
        /// `channel`, `supergroup` or `group`.
        var type: String
        var title: String
        var username: String?
        /// Whether the bot may post (an administrator of a channel, a member of a group).
        var botStatus: String
    }

    struct Message: Sendable {
        var id: Int
        var chatID: Int64
        var date: Date
        var text: String?
        var caption: String?
        /// Photos as (width, height, size) per message; one per message, as Telegram sends a photo.
        var photo: (width: Int, height: Int, size: Int)?
        var replyTo: Int?
        /// Sent by the bot (false: a person in the chat).
        var fromBot: Bool
        var mediaGroupID: String?
    }

    struct Update: Sendable {
        var id: Int
        var message: Message
    }

    let botID: Int64
    let botToken: String
    let botUsername = "arkyra_sandbox_bot"
    private(set) var chats: [Int64: Chat] = [:]
    private(set) var messages: [Message] = []
    private var updates: [Update] = []
    private var nextUpdateID = 700_000_000
    private var nextChatID: Int64 = 1_000_000_000_000
    private var nextMessageID: [Int64: Int] = [:]

    init(botToken: String) {
        self.botToken = botToken
        self.botID = Int64(botToken.split(separator: ":").first ?? "") ?? 1
    }

    func addChat(type: String, title: String, username: String?, botStatus: String) -> Chat {
        nextChatID += 1
        // Channels and supergroups have ids -100…; basic groups negative ids.
        let id = type == "group" ? -(nextChatID % 1_000_000_000) : -nextChatID
        let chat = Chat(id: id, type: type, title: title, username: username, botStatus: botStatus)
        chats[id] = chat
        return chat
    }

    /// A chat by its id or `@username`.
    func chat(_ reference: String) -> Chat? {
        if reference.hasPrefix("@") { return chats.values.first { $0.username.map { "@" + $0 } == reference } }
        return Int64(reference).flatMap { chats[$0] }
    }

    func setBotStatus(_ status: String, in chatID: Int64) { chats[chatID]?.botStatus = status }

    /// A message in `chatID`; a person's message becomes an update for getUpdates.
    func post(in chatID: Int64, text: String?, caption: String? = nil, photo: (Int, Int, Int)? = nil, replyTo: Int?, fromBot: Bool,
              mediaGroupID: String? = nil, now: Date) -> Message {
        let id = (nextMessageID[chatID] ?? 0) + 1
        nextMessageID[chatID] = id
        let message = Message(id: id, chatID: chatID, date: now, text: text, caption: caption, photo: photo, replyTo: replyTo, fromBot: fromBot,
                              mediaGroupID: mediaGroupID)
        messages.append(message)
        if !fromBot {
            nextUpdateID += 1
            updates.append(Update(id: nextUpdateID, message: message))
        }
        return message
    }

    func message(_ id: Int, in chatID: Int64) -> Message? { messages.first { $0.id == id && $0.chatID == chatID } }

    /// Removes a message; false when the chat has no such message.
    func delete(_ id: Int, in chatID: Int64) -> Bool {
        guard let index = messages.firstIndex(where: { $0.id == id && $0.chatID == chatID }) else { return false }
        messages.remove(at: index)
        return true
    }

    /// getUpdates: confirms (forgets) every update below `offset`, then returns up to `limit` of the rest.
    func updates(offset: Int?, limit: Int) -> [Update] {
        if let offset { updates.removeAll { $0.id < offset } }
        return Array(updates.prefix(limit))
    }

    func reset() {
        chats = [:]
        messages = []
        updates = []
        nextMessageID = [:]
    }
}
