@testable import ArkyraCore
import ArkyraSandbox
import ArkyraTestSupport
import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Bluesky provider against the sandbox")
struct BlueskyProviderTests {
    /// Runs `body` with a provider, the PDS URL of a live sandbox and a connected account `ada.test`.
    private func withAccount(_ body: @Sendable (BlueskyProvider, ConnectedAccount, any TestClientProtocol) async throws -> Void) async throws {
        let app = await buildSandbox(configuration: SandboxConfiguration(port: 0), logger: TestEnvironment.logger)
        try await app.test(.live) { client in
            let instance = URL(string: "http://127.0.0.1:\(client.port!)/bluesky")!
            try await client.execute(uri: "/_sandbox/bluesky/accounts", method: .post, body: jsonBody(["handle": "ada.test", "password": "app-pass"])) {
                #expect($0.status == .created)
            }
            // A generous deadline: no test here is about deadlines, and a machine busy with the whole suite can
            // take seconds to answer a session request.
            let provider = BlueskyProvider(http: PlatformHTTP(client: .shared, timeout: .seconds(20), policy: OutboundURLPolicy(allowPrivateHosts: true)))
            let connected = try await provider.connect(ConnectRequest(identifier: "ada.test", password: "app-pass", instanceURL: instance))
            try await body(provider, connected, client)
        }
    }

    private func post(_ text: String, _ connected: ConnectedAccount, replyTo: String? = nil, at createdAt: Date = Date()) -> PublishRequest {
        PublishRequest(credentials: connected.credentials, content: text, idempotencyKey: UUID().uuidString, replyTo: replyTo, createdAt: createdAt)
    }

    @Test("an app password opens a session whose tokens name the account and expire; a wrong one is refused")
    func connect() async throws {
        try await withAccount { provider, connected, client in
            #expect(connected.account.username == "ada.test")
            #expect(connected.account.id.hasPrefix("did:plc:"))
            #expect(connected.credentials.refreshToken != nil)
            let lifetime = try #require(connected.credentials.expiresAt).timeIntervalSinceNow
            #expect((7100...7200).contains(lifetime))
            await #expect(throws: ProviderError.invalidCredentials(message: "AuthenticationRequired: Invalid identifier or password")) {
                try await provider.connect(ConnectRequest(identifier: "ada.test", password: "wrong", instanceURL: connected.credentials.instanceURL))
            }
        }
    }

    @Test("a thread is published as replies that name their parent and their root")
    func thread() async throws {
        try await withAccount { provider, connected, client in
            let first = try await provider.publish(post("1/3", connected))
            #expect(first.platformID.hasPrefix("at://\(connected.account.id)/app.bsky.feed.post/"))
            #expect(first.url?.hasPrefix("https://bsky.app/profile/\(connected.account.id)/post/") == true)
            let second = try await provider.publish(post("2/3", connected, replyTo: first.platformID))
            _ = try await provider.publish(post("3/3", connected, replyTo: second.platformID))
            let records = try await client.execute(uri: "/_sandbox/bluesky/records", method: .get) { $0.json["records"] as? [[String: Any]] ?? [] }
            let third = try #require(records.last?["value"] as? [String: Any])
            let reply = try #require(third["reply"] as? [String: [String: Any]])
            #expect(reply["root"]?["uri"] as? String == first.platformID)
            #expect(reply["parent"]?["uri"] as? String == second.platformID)
            #expect(third["$type"] as? String == "app.bsky.feed.post")
        }
    }

    @Test("a post is created once under its own record key: sent again it is refused, and after an unknown outcome it is found by that key")
    func onceUnderItsKey() async throws {
        try await withAccount { provider, connected, client in
            let scheduledAt = Date(timeIntervalSince1970: 1_800_000_000.123)
            let request = post("Launch day", connected, at: scheduledAt)
            let key = BlueskyProvider.recordKey(for: request)
            #expect(key.count == 13)
            #expect(key == BlueskyProvider.recordKey(for: request), "the key is the same on every attempt")
            let sent = try await provider.publish(request)
            #expect(sent.platformID == "at://\(connected.account.id)/app.bsky.feed.post/\(key)")

            await #expect(throws: ProviderError.self) { try await provider.publish(request) }
            let records = try await client.execute(uri: "/_sandbox/bluesky/records", method: .get) { $0.json["records"] as? [[String: Any]] ?? [] }
            #expect(records.count == 1, "the second create of the same post must not add a record")

            #expect(try await provider.findPublished(request) == sent)
            #expect(try await provider.findPublished(post("Launch day", connected, at: scheduledAt)) == nil, "another post at the same time")
            var moved = request
            moved.createdAt = scheduledAt.addingTimeInterval(60)
            #expect(try await provider.findPublished(moved) == nil, "the same post rescheduled has another key")
        }
    }

    @Test("an expired access token says so; refreshing rotates the tokens and the old refresh token stops working")
    func refresh() async throws {
        try await withAccount { provider, connected, client in
            try await client.execute(uri: "/_sandbox/bluesky/accounts/ada.test/expire-tokens", method: .post) { #expect($0.status == .ok) }
            await #expect(throws: ProviderError.tokenExpired(message: "ExpiredToken: Token has expired")) {
                try await provider.publish(post("hello", connected))
            }
            let fresh = try await provider.refresh(connected.credentials)
            #expect(fresh.accessToken != connected.credentials.accessToken)
            #expect(fresh.refreshToken != connected.credentials.refreshToken)
            _ = try await provider.publish(PublishRequest(credentials: fresh, content: "hello", idempotencyKey: "k", createdAt: Date()))
            await #expect(throws: ProviderError.invalidCredentials(message: "ExpiredToken: Token has been revoked")) {
                try await provider.refresh(connected.credentials)
            }
        }
    }

    @Test("rate limits carry the reset time; over-long posts and server errors map to what the worker must do")
    func failures() async throws {
        try await withAccount { provider, connected, client in
            let resetIn = 90.0
            try await client.execute(uri: "/_sandbox/faults", method: .post, body: jsonBody(["platform": "bluesky", "kind": "rate_limit", "count": 1, "reset_in": resetIn])) {
                #expect($0.status == .created)
            }
            let before = Date()
            do {
                _ = try await provider.publish(post("hi", connected))
                Issue.record("expected a rate limit")
            } catch ProviderError.rateLimited(let retryAt, let message) {
                #expect(message == "RateLimitExceeded: Rate Limit Exceeded")
                // The reset is whole Unix seconds, reckoned from when the sandbox answered (between these two).
                let reset = try #require(retryAt)
                #expect(reset >= before.addingTimeInterval(resetIn - 1) && reset <= Date().addingTimeInterval(resetIn + 1), "\(reset)")
            }
            let tooLong = String(repeating: "👍🏽", count: 301)  // 301 graphemes, far more code points
            #expect(provider.characterCount(of: tooLong) == 301)
            await #expect(throws: ProviderError.rejected(status: 400, message: "InvalidRequest: Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes")) {
                try await provider.publish(post(tooLong, connected))
            }
            try await client.execute(uri: "/_sandbox/faults", method: .post, body: jsonBody(["platform": "bluesky", "kind": "server_error", "count": 1])) {
                #expect($0.status == .created)
            }
            await #expect(throws: ProviderError.outcomeUnknown(message: "InternalServerError: Internal Server Error")) {
                try await provider.publish(post("hi", connected))
            }
        }
    }
}
