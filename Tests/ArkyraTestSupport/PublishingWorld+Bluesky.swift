import ArkyraCore
import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing

extension PublishingWorld {
    /// The emulated Bluesky PDS of this world's sandbox.
    package var blueskyURL: URL { URL(string: "http://127.0.0.1:\(sandboxPort)/bluesky")! }

    /// Creates account `handle` on the sandbox, connects it through the real provider and stores the channel
    /// with its session tokens; returns the channel's id.
    package func connectBluesky(handle: String = "ada.test") async throws -> UUID {
        try await sandbox.execute(uri: "/_sandbox/bluesky/accounts", method: .post, body: jsonBody(["handle": handle, "password": "app-pass"])) {
            #expect($0.status == .created)
        }
        let provider = BlueskyProvider(http: PlatformHTTP(client: .shared, timeout: .seconds(3), policy: OutboundURLPolicy(allowPrivateHosts: true)))
        let connected = try await provider.connect(ConnectRequest(identifier: handle, password: "app-pass", instanceURL: blueskyURL))
        let secrets = ChannelSecrets(cipher: TokenCipher(keys: security.encryptionKeys))
        let id = UUID()
        let integration = try await database.inTransaction(logger: TestEnvironment.logger) { connection in
            try await IntegrationRepository(logger: TestEnvironment.logger).create(.init(
                id: id, organizationID: organizationID, provider: "bluesky", externalID: connected.account.id, name: handle, username: handle,
                avatarURL: nil, instanceURL: blueskyURL.absoluteString,
                credentials: try secrets.seal(connected.credentials, integrationID: id)
            ), on: connection)
        }
        return integration.id
    }

    /// Inserts a scheduled post on channel `integrationID`, due now.
    package func schedulePost(_ content: String, on integrationID: UUID, at publishAt: Date = Date()) async throws -> (Post, PublishJob) {
        let post = try await database.inTransaction(logger: TestEnvironment.logger) { connection in
            try await posts.createGroup(
                organizationID: organizationID, authorID: userID, posts: [.init(integrationID: integrationID, content: content)],
                state: .scheduled, publishAt: publishAt, timeZone: "UTC", on: connection
            )[0]
        }
        return (post, PublishJob(postID: post.id, organizationID: organizationID))
    }

    /// Arms a sandbox fault for `platform`.
    package func fault(_ kind: String, platform: String, count: Int = 1, extra: [String: Any] = [:]) async throws {
        var object: [String: Any] = ["platform": platform, "kind": kind, "count": count]
        object.merge(extra) { _, new in new }
        try await sandbox.execute(uri: "/_sandbox/faults", method: .post, body: jsonBody(object)) { #expect($0.status == .created) }
    }

    /// Calls the sandbox's control API without a body.
    package func control(_ path: String) async throws {
        try await sandbox.execute(uri: "/_sandbox/\(path)", method: .post) { #expect($0.status == .ok) }
    }

    /// The post records on the emulated PDS.
    package func blueskyRecords() async throws -> [[String: Any]] {
        try await sandbox.execute(uri: "/_sandbox/bluesky/records", method: .get) { $0.json["records"] as? [[String: Any]] ?? [] }
    }

    /// Paths of the requests the emulated PDS received, in order.
    package func blueskyCalls() async throws -> [String] {
        try await sandbox.execute(uri: "/_sandbox/requests?platform=bluesky", method: .get) { response in
            (response.json["requests"] as? [[String: Any]] ?? []).compactMap { ($0["path"] as? String)?.replacingOccurrences(of: "/bluesky/xrpc/", with: "") }
        }
    }

    /// A channel's state and stored credentials.
    package func channel(_ id: UUID) async throws -> (state: String, credentials: IntegrationRepository.StoredCredentials) {
        let (integration, credentials) = try #require(try await IntegrationRepository(logger: TestEnvironment.logger)
            .withCredentials(id: id, organizationID: organizationID, client: database))
        return (integration.state.rawValue, credentials)
    }
}
