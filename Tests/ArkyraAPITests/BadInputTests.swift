import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import PostgresNIO
import Testing

@Suite("API: bad input gets a clear error and stores nothing")
struct BadInputTests {
    @Test("accounts: duplicate email, weak password, wrong password, bad tokens")
    func accounts() async throws {
        try await APITestHarness.run { api in
            _ = try await api.signUp("bob@example.com")
            let duplicate = try await api.request(.post, "/api/v1/auth/register", json: ["email": "BOB@example.com", "password": "another pass"])
            #expect(duplicate.status == .conflict)
            #expect(duplicate.errorCode == "email_taken")

            let weak = try await api.request(.post, "/api/v1/auth/register", json: ["email": "not-an-email", "password": "short"])
            #expect(weak.status == .unprocessableContent)
            #expect(Set(weak.errorFields.keys) == ["email", "password"])

            let wrong = try await api.request(.post, "/api/v1/auth/login", json: ["email": "bob@example.com", "password": "wrong password"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errorCode == "invalid_credentials")
            let unknown = try await api.request(.post, "/api/v1/auth/login", json: ["email": "nobody@example.com", "password": "wrong password"])
            #expect(unknown.status == .unauthorized)
            #expect(unknown.json["error"] as? NSDictionary == wrong.json["error"] as? NSDictionary)

            for header in ["Bearer not.a.jwt", "Basic Ym9iOnB3", "Bearer "] {
                let response = try await api.client.execute(uri: "/api/v1/organizations", method: .get, headers: [.authorization: header])
                #expect(response.status == .unauthorized, "\(header)")
            }
        }
    }

    @Test("post bodies: malformed, unknown fields, wrong types, bad times, bad channels, too long, too big")
    func postBodies() async throws {
        try await APITestHarness.run { api in
            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let channel = try await api.connectMastodon(token, organization: organization)
            let path = "/api/v1/organizations/\(organization)/posts"
            func variant(_ content: Any = "Hi", channel id: Any? = nil) -> [[String: Any]] {
                [["integration_id": id ?? channel, "content": content]]
            }

            let malformed = try await api.request(.post, path, token: token, raw: "{\"publish_at\": ")
            #expect(malformed.status == .badRequest)
            #expect(malformed.errorCode == "invalid_json")

            let notObject = try await api.request(.post, path, token: token, raw: "[1, 2]")
            #expect(notObject.errorCode == "invalid_json")

            let unknown = try await api.request(.post, path, token: token, json: ["publish_at": APITestHarness.future(), "variants": variant(), "colour": "red"])
            #expect(unknown.status == .badRequest)
            #expect(unknown.errorFields == ["colour": "is not a known field"])

            let nestedUnknown = try await api.request(.post, path, token: token, json: [
                "publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": "Hi", "attachments": []]],
            ])
            #expect(nestedUnknown.errorFields == ["variants[0].attachments": "is not a known field"])

            let wrongType = try await api.request(.post, path, token: token, json: ["publish_at": 12, "variants": variant()])
            #expect(wrongType.status == .badRequest)
            #expect(wrongType.errorFields["publish_at"] == "must be a string")

            let missing = try await api.request(.post, path, token: token, json: ["variants": variant()])
            #expect(missing.errorFields["publish_at"] == "is required")

            let past = try await api.request(.post, path, token: token, json: ["publish_at": "2020-01-01T00:00:00Z", "variants": variant()])
            #expect(past.status == .unprocessableContent)
            #expect(past.errorFields["publish_at"] == "must be in the future")

            let garbled = try await api.request(.post, path, token: token, json: ["publish_at": "next tuesday", "time_zone": "Mars/Olympus", "variants": variant()])
            #expect(garbled.status == .unprocessableContent)
            #expect(Set(garbled.errorFields.keys) == ["publish_at", "time_zone"])

            let strangers = try await api.request(.post, path, token: token, json: [
                "publish_at": APITestHarness.future(), "variants": variant(channel: UUID().uuidString) + variant(channel: "nope"),
            ])
            #expect(strangers.status == .unprocessableContent)
            #expect(strangers.errorFields["variants[0].integration_id"] == "is not a channel of this organization")
            #expect(strangers.errorFields["variants[1].integration_id"] == "is not a channel of this organization")

            let tooLong = try await api.request(.post, path, token: token, json: ["publish_at": APITestHarness.future(), "variants": variant(String(repeating: "é", count: 501))])
            #expect(tooLong.errorFields["variants[0].content"] == "is 501 characters; mastodon takes at most 500")

            let empty = try await api.request(.post, path, token: token, json: ["publish_at": APITestHarness.future(), "variants": variant("   ")])
            #expect(empty.errorFields["variants[0].content"] == "must not be empty")

            let huge = try await api.request(.post, path, token: token, raw: "{\"publish_at\": \"" + String(repeating: "x", count: 20_000) + "\"}")
            #expect(huge.status == .contentTooLarge)
            #expect(huge.errorCode == "payload_too_large")

            #expect(try await api.posts(token, organization: organization).isEmpty)
            #expect(try await api.redis.zcard(JobQueue(name: .publish, redis: api.redis).keys.delayed) == 0)
        }
    }

    @Test("a text that fits a platform's counting rule but is huge in bytes is refused, and so is a huge group")
    func giantContent() async throws {
        try await APITestHarness.run(configure: { $0.maxBodyBytes = 1024 * 1024 }) { api in
            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let channel = try await api.connectMastodon(token, organization: organization)
            let path = "/api/v1/organizations/\(organization)/posts"
            // Twenty 2,000-character links: 479 characters by Mastodon's rule (each link is 23), 40 KB of text.
            let links = (0..<20).map { "https://example.com/" + String(repeating: "a", count: 2_000) + "\($0)" }.joined(separator: " ")
            let giant = try await api.request(.post, path, token: token, json: [
                "publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": links]],
            ])
            #expect(giant.status == .unprocessableContent)
            #expect(giant.errorFields["variants[0].content"] == "is \(links.utf8.count) bytes; at most 32768 are accepted")
            // Twenty-six texts of 12 KB each in one thread: each fits, the group does not.
            let chunk = (0..<6).map { "https://example.com/" + String(repeating: "b", count: 2_000) + "\($0)" }.joined(separator: " ")
            let thread = (0..<25).map { _ in ["content": chunk] }
            let group = try await api.request(.post, path, token: token, json: [
                "publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": chunk, "thread": thread]],
            ])
            #expect(group.status == .unprocessableContent)
            #expect(group.errorFields["variants"]?.hasSuffix("at most 262144 are accepted") == true)
            #expect(try await api.posts(token, organization: organization).isEmpty)
        }
    }

    @Test("another organization's objects do not exist for you")
    func isolation() async throws {
        try await APITestHarness.run { api in
            let alice = try await api.signUp()
            let aliceOrganization = try await api.createOrganization(alice)
            let aliceChannel = try await api.connectMastodon(alice, organization: aliceOrganization)

            let mallory = try await api.signUp()
            let malloryOrganization = try await api.createOrganization(mallory, name: "Mallory")
            for path in ["/api/v1/organizations/\(aliceOrganization)/integrations", "/api/v1/organizations/\(aliceOrganization)/posts?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z",
                         "/api/v1/organizations/not-a-uuid/integrations"] {
                let response = try await api.request(.get, path, token: mallory)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.errorCode == "not_found")
            }
            let borrowed = try await api.request(.post, "/api/v1/organizations/\(malloryOrganization)/posts", token: mallory, json: [
                "publish_at": APITestHarness.future(), "variants": [["integration_id": aliceChannel, "content": "mine now"]],
            ])
            #expect(borrowed.status == .unprocessableContent)
            #expect(try await api.posts(alice, organization: aliceOrganization).isEmpty)
        }
    }

    @Test("connecting: unknown provider, bad instance URL, refused token, already connected")
    func connecting() async throws {
        try await APITestHarness.run { api in
            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let path = "/api/v1/organizations/\(organization)/integrations"
            let unknown = try await api.request(.post, path, token: token, json: ["provider": "myspace", "access_token": "x"])
            #expect(unknown.errorFields["provider"]?.hasPrefix("must be one of: bluesky, discord, facebook, instagram, instagram-facebook, linkedin, linkedin-page, mastodon, pinterest, reddit, slack, telegram, threads, tiktok, x, youtube") == true)
            let noPassword = try await api.request(.post, path, token: token, json: ["provider": "bluesky", "identifier": "ada.test"])
            #expect(noPassword.errorFields == ["app_password": "is required for bluesky: 1 to 256 characters"])
            let noInstance = try await api.request(.post, path, token: token, json: ["provider": "mastodon", "access_token": "good"])
            #expect(noInstance.errorFields["instance_url"] == "is required for mastodon")
            let refused = try await api.request(.post, path, token: token, json: ["provider": "mastodon", "instance_url": api.instanceURL, "access_token": "bad"])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.errorCode == "channel_rejected")
            #expect(refused.errorFields == ["access_token": "was refused by mastodon"])
            let down = try await api.request(.post, path, token: token, json: ["provider": "mastodon", "instance_url": "http://127.0.0.1:1", "access_token": "x"])
            #expect(down.status == .badGateway)
            #expect(down.errorCode == "platform_unavailable")
            let channel = try await api.connectMastodon(token, organization: organization)
            let again = try await api.request(.post, path, token: token, json: ["provider": "mastodon", "instance_url": api.instanceURL, "access_token": "good"])
            #expect(again.status == .conflict)
            #expect(again.errorCode == "channel_exists")
            // A channel whose token was refused is reconnected by connecting the account again.
            try await TestEnvironment.withClient(api.database) { client async throws in
                _ = try await client.query("UPDATE integrations SET state = 'refresh_needed' WHERE id = \(UUID(uuidString: channel)!)")
            }
            let reconnected = try await api.request(.post, path, token: token, json: ["provider": "mastodon", "instance_url": api.instanceURL, "access_token": "good"])
            #expect(reconnected.status == .created)
            #expect(reconnected.json["id"] as? String == channel)
            #expect(reconnected.json["state"] as? String == "connected")
        }
    }

    @Test("a Bluesky account connects with its handle and an app password; a wrong password is named")
    func connectingBluesky() async throws {
        try await APITestHarness.run { api in
            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let path = "/api/v1/organizations/\(organization)/integrations"
            try await api.sandbox.execute(uri: "/_sandbox/bluesky/accounts", method: .post, body: jsonBody(["handle": "ada.test", "password": "app-pass"])) {
                #expect($0.status == .created)
            }
            let pds = "http://127.0.0.1:\(api.sandboxPort)/bluesky"
            let wrong = try await api.request(.post, path, token: token, json: [
                "provider": "bluesky", "instance_url": pds, "identifier": "ada.test", "app_password": "nope",
            ])
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.errorFields == ["app_password": "was refused by bluesky"])
            let connected = try await api.request(.post, path, token: token, json: [
                "provider": "bluesky", "instance_url": pds, "identifier": "ada.test", "app_password": "app-pass",
            ])
            #expect(connected.status == .created)
            #expect(connected.json["provider"] as? String == "bluesky")
            #expect(connected.json["username"] as? String == "ada.test")
            #expect((connected.json["external_id"] as? String)?.hasPrefix("did:plc:") == true)
            #expect(connected.json["access_token"] == nil)
        }
    }

    @Test("text with NUL characters is refused with the field named, not passed to the database")
    func nulCharacters() async throws {
        try await APITestHarness.run { api in
            let login = try await api.request(.post, "/api/v1/auth/login", raw: #"{"email":"a\u0000@example.com","password":"whatever"}"#)
            #expect(login.status == .badRequest)
            #expect(login.errorFields == ["email": "must not contain NUL characters"])
            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let audit = try await api.request(.get, "/api/v1/organizations/\(organization)/audit?action=post.%00", token: token)
            #expect(audit.errorFields["action"] == "must be an action name")
        }
    }
}
