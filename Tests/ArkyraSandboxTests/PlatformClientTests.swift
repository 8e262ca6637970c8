import ArkyraSandbox
import ArkyraTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The platforms' own client libraries (installed from PyPI by `make test`) pointed at a live sandbox: the
/// calls ARKYRA relies on, and those the libraries make around them, must work through them unchanged. The
/// scripts are in Tests/PlatformClients.
@Suite("Sandbox: the platforms' client libraries work against it")
struct PlatformClientTests {
    private func withLiveSandbox(_ body: @Sendable (Int, any TestClientProtocol) async throws -> Void) async throws {
        let app = await buildSandbox(configuration: SandboxConfiguration(port: 0, mastodonAccounts: [("sdk-token", "ada")]), logger: TestEnvironment.logger)
        try await app.test(.live) { client in
            try await body(try #require(client.port), client)
        }
    }

    @Test("Mastodon.py: instance, verify_credentials, media_post, status_post (idempotent, replies), status, status_delete, a bad token")
    func mastodonPy() async throws {
        try await withLiveSandbox { port, _ in
            let run = try await TestPython.runClientScript("mastodon_py.py", ["http://127.0.0.1:\(port)/mastodon", "sdk-token"])
            #expect(run.status == 0 && run.output.hasSuffix("ok\n"), "\(run.output)")
        }
    }

    @Test("atproto: login with getProfile, send_post, a reply, send_image through uploadBlob, get_post, delete_post, a wrong password")
    func atproto() async throws {
        try await withLiveSandbox { port, client in
            try await client.execute(uri: "/_sandbox/bluesky/accounts", method: .post, body: jsonBody(["handle": "sdk.test", "password": "app-pass"])) {
                #expect($0.status == .created)
            }
            let run = try await TestPython.runClientScript("atproto_py.py", ["http://127.0.0.1:\(port)/bluesky/xrpc", "sdk.test", "app-pass"])
            #expect(run.status == 0 && run.output.hasSuffix("ok\n"), "\(run.output)")
        }
    }

    @Test("python-telegram-bot: getMe, getUpdates with offsets, getChat, getChatMember, sendMessage with a reply, sendPhoto, sendMediaGroup, deleteMessage(s), a wrong token")
    func pythonTelegramBot() async throws {
        try await withLiveSandbox { port, client in
            let chat = try await client.execute(uri: "/_sandbox/telegram/chats", method: .post, body: jsonBody(["title": "SDK channel", "username": "sdk_channel"])) {
                try #require($0.json["id"] as? Int)
            }
            try await client.execute(uri: "/_sandbox/telegram/chats/\(chat)/messages", method: .post, body: jsonBody(["text": "/connect hello"])) {
                #expect($0.status == .created)
            }
            let run = try await TestPython.runClientScript(
                "telegram_py.py", ["http://127.0.0.1:\(port)/telegram", SandboxConfiguration.defaultTelegramBotToken, String(chat)]
            )
            #expect(run.status == 0 && run.output.hasSuffix("ok\n"), "\(run.output)")
        }
    }

    @Test("google-api-python-client: channels.list, videos.insert as a resumable upload in chunks, videos.list, commentThreads insert and list, comments.delete, videos.delete, an empty title, a refused token and refresh token")
    func googleAPIClient() async throws {
        try await withLiveSandbox { port, client in
            try await client.execute(uri: "/_sandbox/youtube/accounts", method: .post, body: jsonBody(["username": "sdk_tube"])) { #expect($0.status == .created) }
            let scope = "https://www.googleapis.com/auth/youtube.upload%20https://www.googleapis.com/auth/youtube.force-ssl"
            let redirect = "http://127.0.0.1:1/cb"
            let back = try await SandboxConsent.answer(
                "http://127.0.0.1:\(port)/youtube/o/oauth2/v2/auth?client_id=arkyra-sandbox-client&redirect_uri=\(redirect)&response_type=code&state=s1&scope=\(scope)",
                allow: true, on: client, account: "sdk_tube"
            )
            let code = try #require(back.query("code"))
            let form = "grant_type=authorization_code&code=\(code)&redirect_uri=\(redirect)&client_id=arkyra-sandbox-client&client_secret=arkyra-sandbox-secret"
            let token = try await client.execute(uri: "/youtube/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                 body: ByteBuffer(string: form)) { try #require($0.json["access_token"] as? String) }
            let run = try await TestPython.runClientScript("youtube_py.py", ["http://127.0.0.1:\(port)/youtube/", token])
            #expect(run.status == 0 && run.output.hasSuffix("ok\n"), "\(run.output)")
        }
    }

    @Test("slack_sdk: oauth.v2.access, auth.test, conversations.list, chat.postMessage with a thread reply, chat.getPermalink, chat.delete, a bad token, a message already deleted")
    func slackSDK() async throws {
        try await withLiveSandbox { port, client in
            try await client.execute(uri: "/_sandbox/slack/accounts", method: .post, body: jsonBody(["username": "sdk_slack"])) { #expect($0.status == .created) }
            let redirect = "http://127.0.0.1:1/cb"
            let back = try await SandboxConsent.answer(
                "http://127.0.0.1:\(port)/slack/oauth/v2/authorize?client_id=arkyra-sandbox-client&redirect_uri=\(redirect)&response_type=code&state=s1"
                    + "&scope=chat:write,chat:write.public,channels:read,groups:read",
                allow: true, on: client, account: "sdk_slack"
            )
            let run = try await TestPython.runClientScript("slack_py.py", ["http://127.0.0.1:\(port)/slack/api/", try #require(back.query("code")), redirect])
            #expect(run.status == 0 && run.output.hasSuffix("ok\n"), "\(run.output)")
        }
    }
}
