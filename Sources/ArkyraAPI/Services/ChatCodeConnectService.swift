import ArkyraCore
import Foundation
import Logging

/// Connecting a Telegram channel or group: the person asks for a code (kept in Redis for 15 minutes with who
/// asked: user and organization), adds the installation's bot to the chat and sends `/connect CODE` there,
/// then asks ARKYRA to look. Looking reads the bot's new updates — one API process at a time, under a lease
/// in Redis, advancing the confirmed offset there, so that replicas neither miss nor steal each other's
/// updates — and remembers every code seen with its chat; a code seen becomes the channel.
struct ChatCodeConnectService: Sendable {
    let redis: RedisClient
    let telegram: TelegramProvider
    let integrations: IntegrationService
    let organizations: OrganizationService
    let logger: Logger
    static let codeLifetime = Duration.seconds(900)
    /// How long one process may read updates before another may take over.
    static let pollLease = Duration.seconds(15)

    struct Started: Encodable {
        var code: String
        var command: String
        var botUsername: String
        var expiresIn: Int
        var instructions: String

        enum CodingKeys: String, CodingKey {
            case code, command, instructions
            case botUsername = "bot_username"
            case expiresIn = "expires_in"
        }
    }

    struct Waiting: Encodable {
        var status = "waiting"
        var command: String
        var message: String
    }

    /// What a code remembers.
    private struct Pending: Codable {
        var organizationID: UUID
        var userID: UUID
    }

    enum Outcome {
        case connected(Integration)
        case waiting(Waiting)
    }

    /// A new code and what to do with it.
    /// - Throws: 503 when this installation has no bot; 502 when Telegram cannot be reached.
    func start(organizationID: UUID, userID: UUID) async throws -> Started {
        let username: String
        do {
            username = try await telegram.botUsername()
        } catch let error as ProviderError {
            throw notConfiguredOr(error)
        }
        let code = String(PKCE.makeVerifier().filter(\.isLetter).prefix(10)).uppercased()
        let pending = String(decoding: try JSONEncoder().encode(Pending(organizationID: organizationID, userID: userID)), as: UTF8.self)
        _ = try await redis.set(key("code:\(code)"), pending, expiresIn: Self.codeLifetime)
        let command = "/connect \(code)"
        return Started(
            code: code, command: command, botUsername: username, expiresIn: Int(Self.codeLifetime.components.seconds),
            instructions: "Add @\(username) to your channel as an administrator allowed to post messages (or to your group), send \(command) there, then check the code"
        )
    }

    /// Looks for the code among the bot's updates; connects the chat it was sent in.
    /// - Throws: 404 for a code that is unknown, expired or someone else's; 422 when the bot may not post in the
    ///   chat (the code stays, to try again after fixing that); 409 when the chat is connected already.
    func check(code rawCode: String, organizationID: UUID, userID: UUID, origin: RequestOrigin) async throws -> Outcome {
        let code = rawCode.uppercased()
        guard code.count <= 32, code.allSatisfy({ $0.isLetter || $0.isNumber }),
              let text = try await redis.get(key("code:\(code)")),
              let pending = try? JSONDecoder().decode(Pending.self, from: Data(text.utf8)),
              pending.organizationID == organizationID, pending.userID == userID
        else {
            throw APIError(.notFound, "unknown_code", "this code is unknown or expired (codes last \(Self.codeLifetime.components.seconds / 60) minutes); ask for a new one")
        }
        do {
            try await readUpdates()
            guard let chat = try await redis.get(key("seen:\(code)")).flatMap(Int64.init) else {
                return .waiting(Waiting(command: "/connect \(code)", message: "the bot has not seen /connect \(code) yet; send it in the chat, then check again"))
            }
            let connected = try await telegram.account(ofChat: chat)
            let integration = try await integrations.store(connected, provider: telegram.identifier, organizationID: organizationID, by: userID, origin: origin)
            _ = try await redis.delete([key("code:\(code)"), key("seen:\(code)")])
            logger.info("Telegram chat connected", metadata: ["organization_id": "\(organizationID)", "chat_id": "\(chat)"])
            return .connected(integration)
        } catch let error as ProviderError {
            throw notConfiguredOr(error)
        }
    }

    /// Reads the updates after the stored offset, unless another process is reading them right now, and
    /// remembers the codes in them.
    private func readUpdates() async throws {
        let lease = key("poll-lease"), token = UUID().uuidString
        guard try await redis.set(lease, token, expiresIn: Self.pollLease, onlyIfAbsent: true) else { return }
        do {
            let offset = try await redis.get(key("offset")).flatMap(Int.init)
            let updates = try await telegram.updates(offset: offset)
            for update in updates {
                guard let message = update.anyMessage, let text = message.text, let code = Self.code(in: text) else { continue }
                _ = try await redis.set(key("seen:\(code)"), String(message.chat.id), expiresIn: Self.codeLifetime)
            }
            if let last = updates.last {
                _ = try await redis.set(key("offset"), String(last.updateID + 1))
            }
        } catch {
            await release(lease, token)
            throw error
        }
        await release(lease, token)
    }

    /// Gives the lease up if this process still holds it (it may have run out and gone to another).
    private func release(_ lease: String, _ token: String) async {
        if (try? await redis.get(lease)) == token { _ = try? await redis.delete([lease]) }
    }

    /// The code of `/connect CODE` (or `/connect@bot CODE`, as groups send commands).
    static func code(in text: String) -> String? {
        guard let match = text.trimmingCharacters(in: .whitespacesAndNewlines).wholeMatch(of: /\/connect(?:@[A-Za-z0-9_]+)?\s+([A-Za-z0-9]{1,32})/) else { return nil }
        return String(match.output.1).uppercased()
    }

    private func notConfiguredOr(_ error: ProviderError) -> APIError {
        if telegram.bot == nil {
            return APIError(.serviceUnavailable, "platform_not_configured",
                            "this installation has no Telegram bot yet; an administrator sets ARKYRA_TELEGRAM_BOT_TOKEN (see docs/configuration.md)")
        }
        if case .rejected(403, let message) = error {
            return APIError(.unprocessableContent, "bot_cannot_post", message)
        }
        return IntegrationService.apiError(for: error, provider: "telegram", secretField: "code")
    }

    private func key(_ name: String) -> String { redis.key("telegram-connect:\(name)") }
}
