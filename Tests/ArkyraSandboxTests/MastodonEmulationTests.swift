import ArkyraSandbox
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Sandbox: Mastodon answers as documented")
struct MastodonEmulationTests {
    private func withSandbox(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = await buildSandbox(configuration: SandboxConfiguration(port: 0, mastodonAccounts: [("good", "ada")]), logger: TestEnvironment.logger)
        try await app.test(.router, body)
    }

    private func post(_ client: any TestClientProtocol, _ body: String, token: String = "good", key: String? = nil,
                      contentType: String = "application/json") async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: contentType]
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.execute(uri: "/mastodon/api/v1/statuses", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test("creates a status from JSON or a form, with rate-limit headers")
    func creates() async throws {
        try await withSandbox { client in
            let json = try await post(client, #"{"status":"Hello <world>"}"#)
            #expect(json.status == .ok)
            #expect(json.json["content"] as? String == "<p>Hello &lt;world&gt;</p>")
            #expect(json.json["visibility"] as? String == "public")
            #expect((json.json["account"] as? [String: Any])?["acct"] as? String == "ada")
            #expect(json.headers[HTTPField.Name("X-RateLimit-Limit")!] == "300")
            #expect(json.headers[HTTPField.Name("X-RateLimit-Remaining")!] == "299")
            #expect(json.headers[HTTPField.Name("X-RateLimit-Reset")!] != nil)
            let form = try await post(client, "status=Hi+there&visibility=unlisted", contentType: "application/x-www-form-urlencoded")
            #expect(form.json["visibility"] as? String == "unlisted")
            let id = try #require(form.json["id"] as? String)
            try await client.execute(uri: "/mastodon/api/v1/statuses/\(id)", method: .get, headers: [.authorization: "Bearer good"]) { response in
                #expect(response.json["content"] as? String == "<p>Hi there</p>")
            }
        }
    }

    @Test("the same Idempotency-Key returns the first status instead of a second one")
    func idempotency() async throws {
        try await withSandbox { client in
            let first = try await post(client, #"{"status":"once"}"#, key: "k1")
            let again = try await post(client, #"{"status":"once"}"#, key: "k1")
            let other = try await post(client, #"{"status":"once"}"#, key: "k2")
            #expect(first.json["id"] as? String == again.json["id"] as? String)
            #expect(first.json["id"] as? String != other.json["id"] as? String)
        }
    }

    @Test("refuses bad tokens, blank and overlong text, unknown visibility, with Mastodon's error bodies")
    func refusals() async throws {
        try await withSandbox { client in
            let unauthorized = try await post(client, #"{"status":"x"}"#, token: "nope")
            #expect(unauthorized.status == .unauthorized)
            #expect(unauthorized.json["error"] as? String == "The access token is invalid")
            let blank = try await post(client, #"{"status":"  "}"#)
            #expect(blank.status == .unprocessableContent)
            #expect(blank.json["error"] as? String == "Validation failed: Text can't be blank")
            let long = try await post(client, "{\"status\":\"\(String(repeating: "a", count: 501))\"}")
            #expect(long.json["error"] as? String == "Validation failed: Text character limit of 500 exceeded")
            let visibility = try await post(client, #"{"status":"x","visibility":"everyone"}"#)
            #expect(visibility.status == .unprocessableContent)
            let missing = try await client.execute(uri: "/mastodon/api/v1/statuses/1", method: .get, headers: [.authorization: "Bearer good"])
            #expect(missing.status == .notFound)
            #expect(missing.json["error"] as? String == "Record not found")
        }
    }

    @Test("past 300 statuses in the window it answers 429 until the reset")
    func rateLimit() async throws {
        try await withSandbox { client in
            for _ in 0..<300 {
                _ = try await post(client, #"{"status":"x"}"#)
            }
            let limited = try await post(client, #"{"status":"x"}"#)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.json["error"] as? String == "Too many requests")
            #expect(limited.headers[HTTPField.Name("X-RateLimit-Remaining")!] == "0")
        }
    }

    @Test("faults can be armed and are used up")
    func faults() async throws {
        try await withSandbox { client in
            try await client.execute(uri: "/_sandbox/faults", method: .post, body: jsonBody(["platform": "mastodon", "kind": "server_error", "count": 1])) {
                #expect($0.status == .created)
            }
            #expect(try await post(client, #"{"status":"x"}"#).status == .internalServerError)
            #expect(try await post(client, #"{"status":"x"}"#).status == .ok)
            try await client.execute(uri: "/_sandbox/faults", method: .post, body: jsonBody(["kind": "nonsense"])) {
                #expect($0.status == .badRequest)
            }
        }
    }
}
