@testable import ArkyraCore
import ArkyraSandbox
import ArkyraTestSupport
import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Mastodon provider against the sandbox")
struct MastodonProviderTests {
    /// Runs `body` with a provider and the instance URL of a live sandbox that knows token `good`.
    private func withSandbox(_ body: @Sendable (MastodonProvider, URL, any TestClientProtocol) async throws -> Void) async throws {
        let app = await buildSandbox(configuration: SandboxConfiguration(port: 0, mastodonAccounts: [("good", "ada")]), logger: TestEnvironment.logger)
        try await app.test(.live) { client in
            let instance = URL(string: "http://127.0.0.1:\(client.port!)/mastodon")!
            let provider = MastodonProvider(http: PlatformHTTP(client: .shared, timeout: .seconds(3), policy: OutboundURLPolicy(allowPrivateHosts: true)))
            try await body(provider, instance, client)
        }
    }

    private func fault(_ client: any TestClientProtocol, _ kind: String, extra: [String: Any] = [:]) async throws {
        var object: [String: Any] = ["platform": "mastodon", "kind": kind, "count": 1]
        object.merge(extra) { _, new in new }
        try await client.execute(uri: "/_sandbox/faults", method: .post, body: jsonBody(object)) { #expect($0.status == .created) }
    }

    @Test("connect reads the account; a bad token is invalid credentials")
    func connect() async throws {
        try await withSandbox { provider, instance, _ in
            let connected = try await provider.connect(ConnectRequest(accessToken: "good", instanceURL: instance))
            #expect(connected.account.username == "ada")
            #expect(connected.credentials == ProviderCredentials(accessToken: "good", instanceURL: instance))
            await #expect(throws: ProviderError.invalidCredentials(message: "The access token is invalid")) {
                try await provider.connect(ConnectRequest(accessToken: "bad", instanceURL: instance))
            }
        }
    }

    @Test("publish returns the status id and URL; the same idempotency key never posts twice")
    func publishIdempotent() async throws {
        try await withSandbox { provider, instance, client in
            let request = PublishRequest(credentials: ProviderCredentials(accessToken: "good", instanceURL: instance), content: "hi", idempotencyKey: "post-1", createdAt: Date())
            let first = try await provider.publish(request)
            let second = try await provider.publish(request)
            #expect(first == second)
            #expect(first.url?.hasSuffix("/@ada/\(first.platformID)") == true)
            try await client.execute(uri: "/_sandbox/requests?platform=mastodon", method: .get) { response in
                let requests = response.json["requests"] as? [[String: Any]] ?? []
                #expect(requests.count == 2)
                #expect(requests.allSatisfy { $0["idempotency_key"] as? String == "post-1" })
            }
        }
    }

    @Test("platform failures map to what the worker must do")
    func failures() async throws {
        try await withSandbox { provider, instance, client in
            let request = PublishRequest(credentials: ProviderCredentials(accessToken: "good", instanceURL: instance), content: "hi", idempotencyKey: UUID().uuidString, createdAt: Date())
            // The reset is 120 s after the sandbox answered: between the fault's setting and the answer's arrival
            // (however long a busy machine takes in between), plus 120 s, to the second.
            let before = Date()
            try await fault(client, "rate_limit", extra: ["reset_in": 120])
            await #expect(performing: { try await provider.publish(request) }, throws: { error in
                guard case .rateLimited(let retryAt?, _) = error as? ProviderError else { return false }
                return retryAt >= before.addingTimeInterval(119) && retryAt <= Date().addingTimeInterval(121)
            })
            try await fault(client, "server_error")
            await #expect(performing: { try await provider.publish(request) }, throws: { error in
                if case .outcomeUnknown = error as? ProviderError { return true }
                return false
            })
            try await fault(client, "timeout_after_accept", extra: ["delay": 6])
            await #expect(performing: { try await provider.publish(request) }, throws: { error in
                if case .outcomeUnknown = error as? ProviderError { return true }
                return false
            })
            let blank = PublishRequest(credentials: request.credentials, content: "  ", idempotencyKey: UUID().uuidString, createdAt: Date())
            await #expect(throws: ProviderError.rejected(status: 422, message: "Validation failed: Text can't be blank")) {
                try await provider.publish(blank)
            }
        }
    }

    @Test("a body that trickles in past the deadline ends the exchange at the deadline, as an unknown outcome")
    func trickle() async throws {
        try await withSandbox { provider, instance, client in
            try await fault(client, "trickle", extra: ["delay": 30])
            let request = PublishRequest(credentials: ProviderCredentials(accessToken: "good", instanceURL: instance), content: "slowly",
                                         idempotencyKey: UUID().uuidString, createdAt: Date())
            let started = ContinuousClock.now
            await #expect(performing: { try await provider.publish(request) }, throws: { error in
                if case .outcomeUnknown = error as? ProviderError { return true }
                return false
            })
            // The 3 s deadline, not the 30 s the body takes.
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test("a server that does not answer at all is unavailable, not unknown")
    func unreachable() async throws {
        let provider = MastodonProvider(http: PlatformHTTP(client: .shared, timeout: .seconds(3), policy: OutboundURLPolicy(allowPrivateHosts: true)))
        let request = PublishRequest(credentials: ProviderCredentials(accessToken: "x", instanceURL: URL(string: "http://127.0.0.1:1")!), content: "hi", idempotencyKey: "k", createdAt: Date())
        await #expect(performing: { try await provider.publish(request) }, throws: { error in
            if case .unavailable = error as? ProviderError { return true }
            return false
        })
    }

    @Test("characters are counted the way Mastodon counts them")
    func counting() {
        let provider = MastodonProvider(http: PlatformHTTP(client: .shared, timeout: .seconds(3), policy: OutboundURLPolicy(allowPrivateHosts: true)))
        #expect(provider.characterCount(of: "héllo") == 5)
        #expect(provider.characterCount(of: "see https://example.com/a/very/long/path/that/is/long") == 4 + 23)
        #expect(provider.characterCount(of: "hi @ada@mastodon.social") == 3 + 4)
    }
}
