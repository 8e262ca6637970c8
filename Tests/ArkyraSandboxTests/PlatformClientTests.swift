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
}
