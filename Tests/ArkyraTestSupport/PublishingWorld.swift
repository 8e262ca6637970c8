import ArkyraCore
import ArkyraSandbox
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// A migrated database with one organization and `channels` Mastodon channels on a live sandbox (tokens
/// `token-0`, `token-1`, ...), a Redis client, and the secrets the worker needs.
package struct PublishingWorld: Sendable {
    package let database: Database
    package let databaseConfiguration: DatabaseConfiguration
    package let redis: RedisClient
    package let sandbox: any TestClientProtocol
    package let sandboxPort: Int
    package let security: SecurityConfiguration
    package let organizationID: UUID
    package let userID: UUID
    package let channels: [UUID]

    package var queue: JobQueue { JobQueue(name: .publish, redis: redis) }
    package var posts: PostRepository { PostRepository(logger: TestEnvironment.logger) }
    /// The OAuth apps, registered with the sandbox.
    package var platforms: PlatformConfiguration { TestEnvironment.sandboxPlatforms(port: sandboxPort) }

    /// Builds the world; `redis` defaults to the shared test server under a fresh prefix.
    package static func run(channels: Int = 1, redis redisConfiguration: RedisConfiguration? = nil,
                            _ body: @Sendable (PublishingWorld) async throws -> Void) async throws {
        let accounts = (0..<channels).map { ("token-\($0)", "user\($0)") }
        let app = await buildSandbox(configuration: SandboxConfiguration(port: 0, mastodonAccounts: accounts), logger: TestEnvironment.logger)
        try await app.test(.live) { sandbox in
            try await TestEnvironment.withDatabase { database, configuration async throws in
                let redis = RedisClient(configuration: redisConfiguration ?? TestEnvironment.redisConfiguration())
                let security = TestEnvironment.security()
                let logger = TestEnvironment.logger
                let secrets = ChannelSecrets(cipher: TokenCipher(keys: security.encryptionKeys))
                let (user, organization, integrations) = try await database.inTransaction(logger: logger) { connection in
                    let user = try await UserRepository(logger: logger).create(email: "w@example.com", passwordHash: "x", name: "W", on: connection)
                    let organization = try await OrganizationRepository(logger: logger).create(name: "Org", ownerID: user.id, on: connection)
                    var integrations: [UUID] = []
                    for (token, username) in accounts {
                        let id = UUID()
                        let integration = try await IntegrationRepository(logger: logger).create(.init(
                            id: id, organizationID: organization.id, provider: "mastodon", externalID: username, name: username, username: username,
                            avatarURL: nil, instanceURL: "http://127.0.0.1:\(sandbox.port!)/mastodon",
                            credentials: try secrets.seal(ProviderCredentials(accessToken: token, instanceURL: nil), integrationID: id)
                        ), on: connection)
                        integrations.append(integration.id)
                    }
                    return (user.id, organization.id, integrations)
                }
                let world = PublishingWorld(
                    database: database, databaseConfiguration: configuration, redis: redis, sandbox: sandbox, sandboxPort: sandbox.port!,
                    security: security, organizationID: organization, userID: user, channels: integrations
                )
                do {
                    try await body(world)
                    await redis.shutdown()
                } catch {
                    await redis.shutdown()
                    throw error
                }
            }
        }
    }

    /// Inserts a scheduled post on `channel` (index) due at `publishAt`; returns it with its publish job.
    package func schedulePost(_ content: String = "Hello", channel: Int = 0, at publishAt: Date = Date()) async throws -> (Post, PublishJob) {
        let post = try await database.inTransaction(logger: TestEnvironment.logger) { connection in
            try await posts.createGroup(
                organizationID: organizationID, authorID: userID, posts: [.init(integrationID: channels[channel], content: content)],
                state: .scheduled, publishAt: publishAt, timeZone: "UTC", on: connection
            )[0]
        }
        return (post, PublishJob(postID: post.id, organizationID: organizationID))
    }

    package func reload(_ post: Post) async throws -> Post {
        try #require(try await posts.find(id: post.id, organizationID: organizationID, client: database))
    }

    /// How many of the organization's posts are in `state`.
    package func count(_ state: PostState) async throws -> Int {
        let rows = try await database.query("SELECT count(*)::int FROM posts WHERE organization_id = \(organizationID) AND state = \(state.rawValue)")
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    package func fault(_ kind: String, count: Int = 1, extra: [String: Any] = [:]) async throws {
        var object: [String: Any] = ["platform": "mastodon", "kind": kind, "count": count]
        object.merge(extra) { _, new in new }
        try await sandbox.execute(uri: "/_sandbox/faults", method: .post, body: jsonBody(object)) { #expect($0.status == .created) }
    }

    /// Status-creating requests the sandbox received.
    package func statusRequests() async throws -> [[String: Any]] {
        try await sandbox.execute(uri: "/_sandbox/requests?platform=mastodon", method: .get) { response in
            (response.json["requests"] as? [[String: Any]] ?? []).filter { ($0["path"] as? String)?.hasSuffix("/statuses") == true }
        }
    }

    /// The statuses that exist on the sandbox.
    package func statuses() async throws -> [[String: Any]] {
        try await sandbox.execute(uri: "/_sandbox/mastodon/statuses", method: .get) { response in
            response.json["statuses"] as? [[String: Any]] ?? []
        }
    }
}
