import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Slack channels through the installation's Slack app: Slack's consent page (OAuth v2) installs the app's
/// bot in a workspace and gives its token (bot tokens do not expire); the person then picks a public
/// channel, or a private one the bot was invited to; the bot posts with chat.postMessage (a thread item in
/// the first item's thread, by `thread_ts`) and deletes with chat.delete. Slack answers HTTP 200 with
/// `{"ok": false, "error"}` for refusals and 429 with `Retry-After` for rate limits; it takes no idempotency
/// key and bots cannot search history, so a post whose outcome is unknown is left for a person to check.
/// A reply's platform id is `<thread ts>/<ts>`. Files are not sent yet (Slack's external upload takes
/// three calls).
package struct SlackProvider: OAuthProvider, ChoosingProvider {
    package let identifier = "slack"
    package let displayName = "Slack"
    package let connectMethod = ConnectMethod.oauth2
    package let requiresInstanceURL = false
    package let supportsIdempotencyKeys = false
    /// Slack truncates text past 40,000 characters (chat.postMessage).
    package let maximumCharacters = 40_000
    /// chat.postMessage: about one message per second per channel.
    package let rateLimitWindow: TimeInterval = 60
    package let deletesPosts = true
    package let scopes = ["chat:write", "chat:write.public", "channels:read", "groups:read"]
    package let clientIDSetting = "ARKYRA_SLACK_CLIENT_ID"
    package let usesPKCE = false
    package let scopeSeparator = ","
    package let app: PlatformConfiguration.OAuthApp?
    let http: PlatformHTTP

    package init(http: PlatformHTTP, app: PlatformConfiguration.OAuthApp?) {
        self.http = http
        self.app = app
    }

    package func characterCount(of text: String) -> Int { text.count }

    package func connect(_ request: ConnectRequest) async throws -> ConnectedAccount {
        throw ProviderError.rejected(status: 0, message: "Slack channels connect through Slack's consent page")
    }

    package func exchange(code: String, verifier: String, redirectURI: String) async throws -> ConnectedAccount {
        let app = try configured()
        let answer = try await call("oauth.v2.access", [
            "code": code, "redirect_uri": redirectURI, "client_id": app.clientID, "client_secret": app.clientSecret ?? "",
        ], token: nil, as: SlackInstall.self, mutates: false)
        guard answer.tokenType == "bot" else { throw ProviderError.rejected(status: 0, message: "Slack gave no bot token; install the app again") }
        return ConnectedAccount(
            account: ProviderAccount(id: answer.team.id, name: answer.team.name, username: answer.team.name, avatarURL: nil),
            credentials: ProviderCredentials(accessToken: answer.accessToken, instanceURL: nil)
        )
    }

    /// The workspace's channels the bot may post to: public ones, and private ones it is in.
    package func choices(for connected: ConnectedAccount) async throws -> [ProviderChoice] {
        var channels: [SlackChannel] = []
        var cursor = ""
        repeat {
            let page = try await call("conversations.list", ["types": "public_channel,private_channel", "exclude_archived": "true", "limit": "200", "cursor": cursor],
                                      token: connected.credentials.accessToken, as: SlackChannelPage.self, mutates: false)
            channels += page.channels
            cursor = page.responseMetadata?.nextCursor ?? ""
        } while !cursor.isEmpty && channels.count < 5000
        return channels.filter { !$0.isPrivate || $0.isMember }.map {
            ProviderChoice(id: $0.id, name: ($0.isPrivate ? "🔒" : "#") + $0.name, kind: $0.isPrivate ? "private channel" : "public channel")
        }
    }

    package func choose(_ choiceID: String, of connected: ConnectedAccount) async throws -> ConnectedAccount {
        guard let choice = try await choices(for: connected).first(where: { $0.id == choiceID }) else {
            throw ProviderError.rejected(status: 0, message: "\(choiceID) is not a channel of \(connected.account.name) the bot may post to")
        }
        let workspace = connected.account
        return ConnectedAccount(
            account: ProviderAccount(id: "\(workspace.id)/\(choice.id)", name: "\(choice.name) (\(workspace.name))", username: choice.name, avatarURL: nil),
            credentials: connected.credentials
        )
    }

    package func publish(_ post: PublishRequest) async throws -> PublishedPost {
        let channel = try Self.channel(post.accountID)
        var parameters = ["channel": channel, "text": Self.escaped(post.content), "unfurl_links": "true"]
        let thread = post.replyTo.map { String($0.split(separator: "/").first ?? Substring($0)) }
        if let thread { parameters["thread_ts"] = thread }
        let sent = try await call("chat.postMessage", parameters, token: post.credentials.accessToken, as: SlackPosted.self, mutates: true)
        // The link is a nicety: a failure to read it must not turn a sent message into a failed post.
        let link = try? await call("chat.getPermalink", ["channel": channel, "message_ts": sent.ts], token: post.credentials.accessToken,
                                   as: SlackPermalink.self, mutates: false).permalink
        return PublishedPost(platformID: thread.map { "\($0)/\(sent.ts)" } ?? sent.ts, url: link)
    }

    package func delete(_ post: DeleteRequest) async throws {
        let channel = try Self.channel(post.accountID)
        let ts = String(post.platformID.split(separator: "/").last ?? "")
        do {
            _ = try await call("chat.delete", ["channel": channel, "ts": ts], token: post.credentials.accessToken, as: SlackDeleted.self, mutates: false)
        } catch ProviderError.rejected(_, let message) where message.hasPrefix("message_not_found") {
            return
        }
    }

    // MARK: Calls

    /// Slack's text escapes: `&`, `<` and `>` (otherwise read as links and mentions).
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    static func channel(_ accountID: String?) throws -> String {
        guard let channel = accountID?.split(separator: "/").last, accountID?.contains("/") == true else {
            throw ProviderError.rejected(status: 0, message: "the channel names no Slack channel; connect it again")
        }
        return String(channel)
    }

    private func configured() throws -> PlatformConfiguration.OAuthApp {
        guard let app else { throw ProviderError.rejected(status: 0, message: "this installation has no Slack app; an administrator sets \(clientIDSetting)") }
        return app
    }

    /// Calls a Web API method with form parameters and decodes its answer.
    private func call<Answer: Decodable>(_ method: String, _ parameters: [String: String], token: String?, as: Answer.Type, mutates: Bool) async throws -> Answer {
        var request = HTTPClientRequest(url: try configured().api("/api/\(method)"))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let body = parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\(OAuth2TokenEndpoint.formEncoded($0.value))" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await http.send(request, mutates: mutates)
        if response.status == 429 {
            let wait = response.headers.first(name: "Retry-After").flatMap(TimeInterval.init)
            throw ProviderError.rateLimited(retryAt: wait.map { Date().addingTimeInterval($0) }, message: "ratelimited")
        }
        guard response.status == 200 else {
            throw ProviderError.classify(status: response.status, message: response.summary, mutates: mutates, retryAt: nil)
        }
        guard let status = response.decode(SlackStatus.self) else {
            throw mutates ? ProviderError.outcomeUnknown(message: "Slack's answer could not be read: \(response.summary)")
                : ProviderError.unavailable(message: "Slack's answer could not be read: \(response.summary)")
        }
        guard status.ok else { throw Self.error(status.error ?? "unknown_error", needed: status.needed) }
        guard let answer = response.decode(Answer.self) else {
            throw mutates ? ProviderError.outcomeUnknown(message: "Slack's answer could not be read: \(response.summary)")
                : ProviderError.unavailable(message: "Slack's answer could not be read: \(response.summary)")
        }
        return answer
    }

    /// Slack's error codes: a token revoked or the app uninstalled needs a person to connect again, as does a
    /// channel archived, gone or closed to the bot; anything else is a refusal in Slack's words.
    static func error(_ code: String, needed: String? = nil) -> ProviderError {
        switch code {
        case "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "no_permission", "org_login_required", "ekm_access_denied":
            return .invalidCredentials(message: "\(code): the app's access to the workspace was revoked or the app was removed")
        case "channel_not_found", "not_in_channel", "is_archived":
            return .invalidCredentials(message: "\(code): the bot cannot post in the channel any more (archived, removed, or the bot not in it)")
        case "missing_scope":
            return .invalidCredentials(message: "missing_scope: the app lacks \(needed ?? "a permission"); install it again")
        case "ratelimited":
            return .rateLimited(retryAt: nil, message: code)
        case "internal_error", "fatal_error", "service_unavailable", "request_timeout":
            return .unavailable(message: code)
        default:
            return .rejected(status: 200, message: code)
        }
    }
}

struct SlackStatus: Decodable {
    var ok: Bool
    var error: String?
    var needed: String?
}

struct SlackInstall: Decodable {
    struct Team: Decodable {
        var id: String
        var name: String
    }

    var accessToken: String
    var tokenType: String
    var team: Team

    enum CodingKeys: String, CodingKey {
        case team
        case accessToken = "access_token"
        case tokenType = "token_type"
    }
}

struct SlackChannel: Decodable {
    var id: String
    var name: String
    var isPrivate: Bool
    var isMember: Bool

    enum CodingKeys: String, CodingKey {
        case id, name
        case isPrivate = "is_private"
        case isMember = "is_member"
    }
}

struct SlackChannelPage: Decodable {
    struct Metadata: Decodable {
        var nextCursor: String?
        enum CodingKeys: String, CodingKey { case nextCursor = "next_cursor" }
    }

    var channels: [SlackChannel]
    var responseMetadata: Metadata?

    enum CodingKeys: String, CodingKey {
        case channels
        case responseMetadata = "response_metadata"
    }
}

struct SlackPosted: Decodable {
    var ts: String
}

struct SlackPermalink: Decodable {
    var permalink: String
}

struct SlackDeleted: Decodable {
    var ts: String
}
