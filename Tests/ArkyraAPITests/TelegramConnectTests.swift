import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite("API: connecting a Telegram chat by a code sent in it")
struct TelegramConnectTests {
    /// Creates a chat on the emulated Telegram; returns its id.
    private func chat(_ api: APITestHarness, title: String, type: String = "channel", username: String? = nil, botStatus: String = "administrator") async throws -> Int {
        var body: [String: Any] = ["title": title, "type": type, "bot_status": botStatus]
        if let username { body["username"] = username }
        return try await api.sandbox.execute(uri: "/_sandbox/telegram/chats", method: .post, body: jsonBody(body)) { response in
            #expect(response.status == .created)
            return try #require(response.json["id"] as? Int)
        }
    }

    private func say(_ api: APITestHarness, _ text: String, in chat: Int) async throws {
        try await api.sandbox.execute(uri: "/_sandbox/telegram/chats/\(chat)/messages", method: .post, body: jsonBody(["text": text])) {
            #expect($0.status == .created)
        }
    }

    @Test("a code sent in the channel connects it once; before that the check waits; someone else's or a made-up code is unknown")
    func connects() async throws {
        try await APITestHarness.run { api in
            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let codes = "/api/v1/organizations/\(organization)/integrations/telegram/codes"
            let started = try await api.request(.post, codes, token: token)
            #expect(started.status == .created, "\(started.json)")
            let code = try #require(started.json["code"] as? String)
            #expect(started.json["command"] as? String == "/connect \(code)")
            #expect(started.json["bot_username"] as? String == "arkyra_sandbox_bot")

            let channel = try await chat(api, title: "ARKYRA news", username: "arkyra_news")
            let early = try await api.request(.post, "\(codes)/\(code)", token: token)
            #expect(early.status == .accepted)
            #expect(early.json["status"] as? String == "waiting")

            try await say(api, "hello everyone", in: channel)
            try await say(api, "/connect \(code)", in: channel)
            let other = try await api.signUp()
            #expect(try await api.request(.post, "\(codes)/\(code)", token: other).status == .notFound, "another organization is not found")
            let connected = try await api.request(.post, "\(codes)/\(code)", token: token)
            #expect(connected.status == .created, "\(connected.json)")
            #expect(connected.json["provider"] as? String == "telegram")
            #expect(connected.json["name"] as? String == "ARKYRA news")
            #expect(connected.json["username"] as? String == "arkyra_news")
            #expect(try await api.request(.post, "\(codes)/\(code)", token: token).errorCode == "unknown_code", "a code connects once")
            #expect(try await api.request(.post, "\(codes)/MADEUP123", token: token).errorCode == "unknown_code")

            // A group, where commands come as /connect@bot CODE; and a channel where the bot may not post.
            let second = try #require(try await api.request(.post, codes, token: token).json["code"] as? String)
            let group = try await chat(api, title: "Team", type: "supergroup", botStatus: "member")
            try await say(api, "/connect@arkyra_sandbox_bot \(second.lowercased())", in: group)
            #expect(try await api.request(.post, "\(codes)/\(second)", token: token).status == .created)

            let third = try #require(try await api.request(.post, codes, token: token).json["code"] as? String)
            let readOnly = try await chat(api, title: "Read only", botStatus: "member")
            try await say(api, "/connect \(third)", in: readOnly)
            let refused = try await api.request(.post, "\(codes)/\(third)", token: token)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.errorCode == "bot_cannot_post")
            #expect(refused.errorMessage?.contains("not an administrator of Read only") == true, "\(refused.json)")
            try await api.sandbox.execute(uri: "/_sandbox/telegram/chats/\(readOnly)/bot-status", method: .post, body: jsonBody(["status": "administrator"])) {
                #expect($0.status == .noContent)
            }
            #expect(try await api.request(.post, "\(codes)/\(third)", token: token).status == .created, "the code stays until it works")

            let channels = try await api.request(.get, "/api/v1/organizations/\(organization)/integrations", token: token)
            #expect((channels.json["integrations"] as? [[String: Any]])?.count == 3)
            let direct = try await api.request(.post, "/api/v1/organizations/\(organization)/integrations", token: token, json: ["provider": "telegram"])
            #expect(direct.errorCode == "connect_with_code")
        }
    }

    @Test("without a bot configured, asking for a code says which setting is missing")
    func notConfigured() async throws {
        try await APITestHarness.run(configure: { $0.service.platforms.telegram = nil }) { api in
            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let started = try await api.request(.post, "/api/v1/organizations/\(organization)/integrations/telegram/codes", token: token)
            #expect(started.status == .serviceUnavailable)
            #expect(started.errorCode == "platform_not_configured")
        }
    }
}
