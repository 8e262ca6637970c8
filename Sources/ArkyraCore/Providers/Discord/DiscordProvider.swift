import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Discord channels through the installation's app: Discord's consent page with the `bot` scope adds the
/// app's bot to a server the person manages (the token answer names it); the person then picks one of its
/// text or announcement channels, and the bot (`ARKYRA_DISCORD_BOT_TOKEN`) posts there
/// (`POST /channels/{id}/messages`, a thread item replying to the message before it, images as
/// attachments). A channel's account id is `server/channel`. Messages carry a nonce Discord enforces for a
/// few minutes, too short a window to resend a post whose outcome is unknown, which a person then checks.
package struct DiscordProvider: OAuthProvider, ChoosingProvider {
    package let identifier = "discord"
    package let displayName = "Discord"
    package let connectMethod = ConnectMethod.oauth2
    package let requiresInstanceURL = false
    package let supportsIdempotencyKeys = false
    package let maximumCharacters = 2000
    /// Per-route buckets reset within seconds; 429s name retry_after.
    package let rateLimitWindow: TimeInterval = 5
    package let countingRule: String? = "Discord counts UTF-16 code units: most emoji count as 2"
    /// Ten attachments of at most 10 MB each (the limit of servers without boosts).
    package let mediaRules = MediaRules(maximumItems: 10, kinds: [.image], maximumImageBytes: 10 * 1024 * 1024)
    package let deletesPosts = true
    package let scopes = ["bot"]
    package let clientIDSetting = "ARKYRA_DISCORD_CLIENT_ID"
    /// Discord's web apps have a client secret; the bot install takes no PKCE.
    package let usesPKCE = false
    /// View channels, send messages, manage messages (delete), attach files, read message history.
    static let permissions = 1024 | 2048 | 8192 | 32768 | 65536
    package var extraAuthorizationParameters: [URLQueryItem] { [URLQueryItem(name: "permissions", value: String(Self.permissions))] }
    package let discord: PlatformConfiguration.DiscordApp?
    package var app: PlatformConfiguration.OAuthApp? { discord?.oauth }
    let http: PlatformHTTP

    package init(http: PlatformHTTP, app: PlatformConfiguration.DiscordApp?) {
        self.http = http
        self.discord = app
    }

    package func characterCount(of text: String) -> Int { text.utf16.count }

    package func connect(_ request: ConnectRequest) async throws -> ConnectedAccount {
        throw ProviderError.rejected(status: 0, message: "Discord channels connect through Discord's consent page")
    }

    /// The server the bot was added to (the person's own token is not kept: the bot does the posting).
    package func exchange(code: String, verifier: String, redirectURI: String) async throws -> ConnectedAccount {
        let app = try configured().oauth
        let tokens = try await OAuth2TokenEndpoint(http: http, url: app.api("/oauth2/token"), app: app, clientAuthentication: .requestBody)
            .exchange(code: code, verifier: nil, redirectURI: redirectURI)
        guard let guild = tokens.guild else {
            throw ProviderError.rejected(status: 0, message: "Discord named no server; add the bot to a server on the consent page")
        }
        return ConnectedAccount(
            account: ProviderAccount(id: guild.id, name: guild.name, username: guild.name, avatarURL: guild.icon.map { "https://cdn.discordapp.com/icons/\(guild.id)/\($0).png" }),
            credentials: ProviderCredentials(accessToken: "discord-server:\(guild.id)", instanceURL: nil)
        )
    }

    /// The server's text and announcement channels, in Discord's order.
    package func choices(for connected: ConnectedAccount) async throws -> [ProviderChoice] {
        let response = try await send(.GET, "/guilds/\(connected.account.id)/channels", body: nil, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let channels = response.decode([DiscordChannel].self) else {
            throw ProviderError.unavailable(message: "the server's channels could not be read: \(response.summary)")
        }
        return channels.filter { $0.type == 0 || $0.type == 5 }.sorted { ($0.position ?? 0) < ($1.position ?? 0) }.map {
            ProviderChoice(id: $0.id, name: "#\($0.name ?? $0.id)", kind: $0.type == 5 ? "announcement channel" : "text channel")
        }
    }

    package func choose(_ choiceID: String, of connected: ConnectedAccount) async throws -> ConnectedAccount {
        guard let choice = try await choices(for: connected).first(where: { $0.id == choiceID }) else {
            throw ProviderError.rejected(status: 0, message: "\(choiceID) is not a text or announcement channel of \(connected.account.name)")
        }
        let server = connected.account
        return ConnectedAccount(
            account: ProviderAccount(id: "\(server.id)/\(choice.id)", name: "\(choice.name) (\(server.name))", username: choice.name, avatarURL: server.avatarURL),
            credentials: ProviderCredentials(accessToken: "discord-channel:\(choice.id)", instanceURL: nil)
        )
    }

    package func publish(_ post: PublishRequest) async throws -> PublishedPost {
        let (server, channel) = try Self.place(post.accountID)
        var payload: [String: Any] = ["content": post.content, "nonce": String(post.idempotencyKey.filter(\.isHexDigit).prefix(25)), "enforce_nonce": true,
                                      "allowed_mentions": ["parse": ["users"]]]
        if let replyTo = post.replyTo { payload["message_reference"] = ["message_id": replyTo, "fail_if_not_exists": false] }
        let response: PlatformHTTP.Response
        if post.media.isEmpty {
            response = try await send(.POST, "/channels/\(channel)/messages", body: .json(payload), mutates: true)
        } else {
            var files: [(PublishMedia, ByteBuffer)] = []
            for file in post.media { files.append((file, try await post.contents(of: file, maximumBytes: mediaRules.maximumImageBytes))) }
            payload["attachments"] = files.enumerated().map { index, file in
                var attachment: [String: Any] = ["id": index, "filename": file.0.fileName]
                if let alt = file.0.alt { attachment["description"] = alt }
                return attachment
            }
            response = try await send(.POST, "/channels/\(channel)/messages", body: .multipart(payload, files), mutates: true)
        }
        guard response.status == 200 else { throw Self.error(for: response, mutates: true) }
        guard let message = response.decode(DiscordMessage.self) else {
            throw ProviderError.outcomeUnknown(message: "Discord accepted the message but its answer could not be read: \(response.summary)")
        }
        return PublishedPost(platformID: message.id, url: "https://discord.com/channels/\(server)/\(channel)/\(message.id)")
    }

    package func delete(_ post: DeleteRequest) async throws {
        let (_, channel) = try Self.place(post.accountID)
        let response = try await send(.DELETE, "/channels/\(channel)/messages/\(post.platformID)", body: nil, mutates: false)
        // 10008 Unknown Message: deleted already.
        if response.status == 204 || (response.status == 404 && response.decode(DiscordError.self)?.code == 10008) { return }
        throw Self.error(for: response, mutates: false)
    }

    // MARK: Calls

    static func place(_ accountID: String?) throws -> (server: String, channel: String) {
        let parts = (accountID ?? "").split(separator: "/").map(String.init)
        guard parts.count == 2, parts.allSatisfy({ $0.allSatisfy(\.isNumber) }) else {
            throw ProviderError.rejected(status: 0, message: "the channel names no Discord channel; connect it again")
        }
        return (parts[0], parts[1])
    }

    private func configured() throws -> PlatformConfiguration.DiscordApp {
        guard let discord else {
            throw ProviderError.rejected(status: 0, message: "this installation has no Discord app; an administrator sets \(clientIDSetting) and ARKYRA_DISCORD_BOT_TOKEN")
        }
        return discord
    }

    enum Body {
        case json([String: Any])
        case multipart([String: Any], [(PublishMedia, ByteBuffer)])
    }

    private func send(_ method: HTTPMethod, _ path: String, body: Body?, mutates: Bool) async throws -> PlatformHTTP.Response {
        let app = try configured()
        var request = HTTPClientRequest(url: app.oauth.api(path))
        request.method = method
        request.headers.add(name: "Authorization", value: "Bot \(app.botToken)")
        request.headers.add(name: "User-Agent", value: "DiscordBot (https://github.com/arkyra, 1.0)")
        switch body {
        case .json(let payload):
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: payload, options: [.withoutEscapingSlashes])))
        case .multipart(let payload, let files):
            let boundary = "arkyra-\(UUID().uuidString)"
            var buffer = ByteBuffer()
            buffer.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"payload_json\"\r\nContent-Type: application/json\r\n\r\n")
            buffer.writeBytes(try JSONSerialization.data(withJSONObject: payload, options: [.withoutEscapingSlashes]))
            buffer.writeString("\r\n")
            for (index, (file, bytes)) in files.enumerated() {
                let name = file.fileName.replacingOccurrences(of: "\"", with: "")
                buffer.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"files[\(index)]\"; filename=\"\(name)\"\r\nContent-Type: \(file.contentType)\r\n\r\n")
                var contents = bytes
                buffer.writeBuffer(&contents)
                buffer.writeString("\r\n")
            }
            buffer.writeString("--\(boundary)--\r\n")
            request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
            request.body = .bytes(buffer)
        case nil:
            break
        }
        return try await http.send(request, mutates: mutates)
    }

    /// Discord's errors (`{"message", "code"}`): 401 is the bot's token refused (the configuration's); 403
    /// Missing Access/Permissions and 404 Unknown Channel mean the bot lost the channel (reconnect); 429
    /// names `retry_after` (seconds, fractional) and `Retry-After`; 400 Invalid Form Body lists the problems.
    static func error(for response: PlatformHTTP.Response, mutates: Bool, now: Date = Date()) -> ProviderError {
        let body = response.decode(DiscordError.self)
        var message = body?.message ?? response.summary
        if let details = body?.details, !details.isEmpty { message += ": " + details.joined(separator: "; ") }
        switch response.status {
        case 401:
            return .invalidCredentials(message: "Discord refused the bot's token (\(message)); an administrator checks ARKYRA_DISCORD_BOT_TOKEN")
        case 403:
            return .invalidCredentials(message: "the bot may not post in the channel (\(message)); give it the permissions again or connect the channel again")
        case 404 where body?.code == 10003:
            return .invalidCredentials(message: "the channel is gone or the bot was removed from the server (\(message))")
        case 429:
            let wait = body?.retryAfter ?? response.headers.first(name: "Retry-After").flatMap(Double.init)
            return .rateLimited(retryAt: wait.map { now.addingTimeInterval($0) }, message: message)
        default:
            return ProviderError.classify(status: response.status, message: message, mutates: mutates, retryAt: nil)
        }
    }
}

struct DiscordChannel: Decodable {
    var id: String
    var type: Int
    var name: String?
    var position: Int?
}

struct DiscordMessage: Decodable {
    var id: String
}

/// `{"message", "code", "retry_after"?, "errors"?}`; the nested errors are flattened to their messages.
struct DiscordError: Decodable {
    var message: String
    var code: Int?
    var retryAfter: Double?
    var details: [String]

    enum CodingKeys: String, CodingKey {
        case message, code, errors
        case retryAfter = "retry_after"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        message = try container.decode(String.self, forKey: .message)
        code = try container.decodeIfPresent(Int.self, forKey: .code)
        retryAfter = try container.decodeIfPresent(Double.self, forKey: .retryAfter)
        details = (try? container.decodeIfPresent(DiscordErrorTree.self, forKey: .errors))?.messages ?? []
    }
}

/// Discord's nested `errors` object: `{"content": {"_errors": [{"code", "message"}]}}`, at any depth.
struct DiscordErrorTree: Decodable {
    var messages: [String]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    struct Entry: Decodable { var message: String }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var messages: [String] = []
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            if key.stringValue == "_errors" {
                messages += (try container.decode([Entry].self, forKey: key)).map(\.message)
            } else if let nested = try? container.decode(DiscordErrorTree.self, forKey: key) {
                messages += nested.messages.map { "\(key.stringValue): \($0)" }
            }
        }
        self.messages = messages
    }
}
