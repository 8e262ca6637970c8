import ArkyraAPI
import ArkyraCore
import ArkyraSandbox
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A live API on its own database and Redis prefix, next to a live sandbox with Mastodon token `good`.
struct APITestHarness {
    let client: any TestClientProtocol
    let sandbox: any TestClientProtocol
    let sandboxPort: Int
    let redis: RedisClient
    let database: DatabaseConfiguration
    /// The API's secrets (the worker side of a test needs the same token keys).
    let security: SecurityConfiguration

    var instanceURL: String { "http://127.0.0.1:\(sandboxPort)/mastodon" }

    /// Runs `body` against a fresh API. `redisPort` overrides the Redis port (to simulate an outage).
    /// Requests go straight to the router unless `overSocket` (for WebSockets, raw bytes and client addresses).
    static func run(overSocket: Bool = false, redisPort: Int? = nil, rateLimits: APIConfiguration.RateLimits = .init(), mail: MailConfiguration = .init(),
                    configure: @Sendable (inout APIConfiguration) -> Void = { _ in }, _ body: @Sendable (APITestHarness) async throws -> Void) async throws {
        let sandbox = await buildSandbox(configuration: SandboxConfiguration(port: 0, mastodonAccounts: [("good", "ada")]), logger: TestEnvironment.logger)
        try await sandbox.test(.live) { sandboxClient in
            try await TestEnvironment.withEmptyDatabase { database async throws in
                try await TestEnvironment.withRedis { redis async throws in
                    var redisConfiguration = redis.configuration
                    if let redisPort { redisConfiguration.port = redisPort }
                    let security = TestEnvironment.security()
                    let configuration = APIConfiguration(
                        service: TestEnvironment.service(database: database, redis: redisConfiguration),
                        security: security, port: 0, maxBodyBytes: 16 * 1024, rateLimits: rateLimits, mail: mail
                    )
                    var configured = configuration
                    configured.service.platforms = TestEnvironment.sandboxPlatforms(port: sandboxClient.port!)
                    // The API's calls to the sandbox (connecting, OAuth exchanges) get time on a machine busy with
                    // the whole suite; no API test is about that deadline (the workers' tests are).
                    configured.service.outbound.timeout = .seconds(15)
                    configure(&configured)
                    let app = buildApplication(configuration: configured, logger: TestEnvironment.logger)
                    try await app.test(overSocket ? .live : .router) { client in
                        try await body(APITestHarness(client: client, sandbox: sandboxClient, sandboxPort: sandboxClient.port!, redis: redis, database: database, security: security))
                    }
                }
            }
        }
    }

    @discardableResult
    func request(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: [String: Any]? = nil,
                 raw: String? = nil, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        let body = json.map(jsonBody) ?? raw.map { ByteBuffer(string: $0) }
        if body != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body)
    }

    /// Registers a user and returns their access token.
    func signUp(_ email: String = "ada-\(UUID().uuidString.prefix(6))@example.com") async throws -> String {
        let response = try await request(.post, "/api/v1/auth/register", json: ["email": email, "password": "correct horse", "name": "Ada"])
        #expect(response.status == .created)
        return try #require(response.json["access_token"] as? String)
    }

    /// Registers a user and returns their access token and id.
    func signUpUser(_ email: String = "user-\(UUID().uuidString.prefix(6))@example.com") async throws -> (token: String, id: String) {
        let response = try await request(.post, "/api/v1/auth/register", json: ["email": email, "password": "correct horse", "name": "User"])
        #expect(response.status == .created)
        return (try #require(response.json["access_token"] as? String), try #require((response.json["user"] as? [String: Any])?["id"] as? String))
    }

    /// A new user who joined `organization` with `role` through an invitation from `inviter`.
    func member(_ role: String, of organization: String, invitedBy inviter: String) async throws -> (token: String, id: String) {
        let invitation = try await request(.post, "/api/v1/organizations/\(organization)/invitations", token: inviter, json: ["role": role])
        #expect(invitation.status == .created)
        let user = try await signUpUser()
        let accepted = try await request(.post, "/api/v1/invitations/accept", token: user.token, json: ["token": try #require(invitation.json["token"] as? String)])
        #expect(accepted.status == .ok)
        return user
    }

    /// Creates an organization and returns its id.
    func createOrganization(_ token: String, name: String = "Acme") async throws -> String {
        let response = try await request(.post, "/api/v1/organizations", token: token, json: ["name": name])
        #expect(response.status == .created)
        return try #require((response.json["organization"] as? [String: Any])?["id"] as? String)
    }

    /// Connects the sandbox's Mastodon account and returns the channel id.
    func connectMastodon(_ token: String, organization: String) async throws -> String {
        let response = try await request(.post, "/api/v1/organizations/\(organization)/integrations", token: token,
                                         json: ["provider": "mastodon", "instance_url": instanceURL, "access_token": "good"])
        #expect(response.status == .created)
        return try #require(response.json["id"] as? String)
    }

    /// Adds a second Mastodon account ("grace") to the sandbox and connects it as another channel.
    func connectSecondMastodon(_ token: String, organization: String) async throws -> String {
        try await sandbox.execute(uri: "/_sandbox/mastodon/accounts", method: .post, headers: [.contentType: "application/json"],
                                  body: ByteBuffer(string: "{\"username\":\"grace\",\"token\":\"second\"}")) { #expect($0.status == .created) }
        let response = try await request(.post, "/api/v1/organizations/\(organization)/integrations", token: token,
                                         json: ["provider": "mastodon", "instance_url": instanceURL, "access_token": "second"])
        #expect(response.status == .created)
        return try #require(response.json["id"] as? String)
    }

    /// Posts of the organization in a wide window.
    func posts(_ token: String, organization: String) async throws -> [[String: Any]] {
        let wide = try await request(.get, "/api/v1/organizations/\(organization)/posts?from=\(ISO8601Timestamp.format(Date().addingTimeInterval(-86400)))&to=\(ISO8601Timestamp.format(Date().addingTimeInterval(300 * 86400)))", token: token)
        #expect(wide.status == .ok)
        return wide.json["posts"] as? [[String: Any]] ?? []
    }

    static func future(_ seconds: TimeInterval = 3600) -> String {
        ISO8601Timestamp.format(Date().addingTimeInterval(seconds))
    }
}
