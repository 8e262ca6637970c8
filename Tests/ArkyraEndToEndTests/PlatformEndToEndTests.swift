import ArkyraCore
import ArkyraTestSupport
import Foundation
import Testing

@Suite("End to end: the real binaries", .serialized)
struct PlatformEndToEndTests {
    @Test("a post scheduled through the API is published by the worker to the sandbox; every binary stops cleanly on SIGTERM")
    func scheduleToPublished() async throws {
        try await TestEnvironment.withEmptyDatabase { database async throws in
            let redis = TestEnvironment.redisConfiguration()
            let ports = (api: try freeTCPPort(), apiAdmin: try freeTCPPort(), sandbox: try freeTCPPort(), worker: try freeTCPPort(), cron: try freeTCPPort(), orchestrator: try freeTCPPort())
            var environment = [
                "ARKYRA_DATABASE_URL": "postgres://\(database.username):\(database.password ?? "")@\(database.host):\(database.port)/\(database.database)",
                "ARKYRA_REDIS_URL": "redis://\(redis.host):\(redis.port)/0",
                "ARKYRA_REDIS_KEY_PREFIX": redis.keyPrefix,
                "ARKYRA_JWT_SECRET": String(repeating: "e2e-secret-", count: 4),
                "ARKYRA_ENCRYPTION_KEYS": "e2e:" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString(),
                "ARKYRA_OUTBOUND_ALLOW_PRIVATE_HOSTS": "true",
                "ARKYRA_BCRYPT_COST": "4",
                "ARKYRA_STORAGE_PATH": NSTemporaryDirectory() + "arkyra-e2e-storage",
                "ARKYRA_API_PORT": String(ports.api),
                "ARKYRA_ADMIN_PORT": String(ports.apiAdmin),
                "ARKYRA_RECONCILE_INTERVAL_SECONDS": "1",
            ]
            let noEnvFile = ["--env-file", "/nonexistent/.env"]
            let sandbox = try RunningProcess("arkyra-sandbox", arguments: ["--port", String(ports.sandbox), "--mastodon-accounts", "e2e-token:e2e"], environment: [:])
            let api = try RunningProcess("arkyra-api", arguments: noEnvFile, environment: environment)
            environment["ARKYRA_ADMIN_PORT"] = String(ports.worker)
            let worker = try RunningProcess("arkyra-worker", arguments: noEnvFile, environment: environment)
            environment["ARKYRA_ADMIN_PORT"] = String(ports.cron)
            let cron = try RunningProcess("arkyra-cron", arguments: noEnvFile, environment: environment)
            environment["ARKYRA_ADMIN_PORT"] = String(ports.orchestrator)
            let orchestrator = try RunningProcess("arkyra-orchestrator", arguments: noEnvFile, environment: environment)
            let all = [api, worker, cron, orchestrator, sandbox]

            let apiHTTP = HTTP(base: "http://127.0.0.1:\(ports.api)")
            let sandboxHTTP = HTTP(base: "http://127.0.0.1:\(ports.sandbox)")
            #expect(await apiHTTP.waitUntilHealthy(), "api: \(api.output)")
            #expect(await HTTP(base: "http://127.0.0.1:\(ports.apiAdmin)").waitUntilHealthy("/health/live"), "api: \(api.output)")
            #expect(await sandboxHTTP.waitUntilHealthy("/_sandbox/health"), "sandbox: \(sandbox.output)")
            for (process, port) in [(worker, ports.worker), (cron, ports.cron), (orchestrator, ports.orchestrator)] {
                #expect(await HTTP(base: "http://127.0.0.1:\(port)").waitUntilHealthy(), "\(process.name): \(process.output)")
            }

            // The container images' HEALTHCHECK: 0 when the admin server says ready, 1 when nothing answers.
            #expect(try await exitStatus("arkyra-worker", ["healthcheck", "--port", String(ports.worker)]) == 0)
            #expect(try await exitStatus("arkyra-api", ["healthcheck", "--live", "--port", String(ports.apiAdmin)]) == 0)
            #expect(try await exitStatus("arkyra-cron", ["healthcheck", "--port", String(try freeTCPPort())]) == 1)

            let registered = try await apiHTTP.send(.POST, "/api/v1/auth/register", json: ["email": "e2e@example.com", "password": "correct horse"])
            let token = try #require(registered.json["access_token"] as? String, "\(registered.json)")
            let organization = try await apiHTTP.send(.POST, "/api/v1/organizations", token: token, json: ["name": "E2E"])
            let organizationID = try #require((organization.json["organization"] as? [String: Any])?["id"] as? String)
            let channel = try await apiHTTP.send(.POST, "/api/v1/organizations/\(organizationID)/integrations", token: token, json: [
                "provider": "mastodon", "instance_url": "http://127.0.0.1:\(ports.sandbox)/mastodon", "access_token": "e2e-token",
            ])
            let channelID = try #require(channel.json["id"] as? String, "\(channel.json)")
            let scheduled = try await apiHTTP.send(.POST, "/api/v1/organizations/\(organizationID)/posts", token: token, json: [
                "publish_at": ISO8601Timestamp.format(Date().addingTimeInterval(2)), "time_zone": "Europe/Berlin",
                "variants": [["integration_id": channelID, "content": "Hello from the real binaries"]],
            ])
            let postID = try #require((scheduled.json["posts"] as? [[String: Any]])?.first?["id"] as? String, "\(scheduled.json)")

            var post: [String: Any] = [:]
            for _ in 0..<150 {
                post = try await apiHTTP.send(.GET, "/api/v1/organizations/\(organizationID)/posts/\(postID)", token: token).json
                if post["state"] as? String == "published" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(post["state"] as? String == "published", "worker: \(worker.output)")
            let received = try await sandboxHTTP.send(.GET, "/_sandbox/requests?platform=mastodon").json["requests"] as? [[String: Any]] ?? []
            let statuses = received.filter { ($0["path"] as? String)?.hasSuffix("/statuses") == true }
            #expect(statuses.count == 1)
            #expect(statuses.first?["body"] as? String == #"{"status":"Hello from the real binaries"}"#)
            try await expectMetrics(apiPort: ports.api, apiAdmin: ports.apiAdmin, worker: ports.worker, cron: ports.cron)

            for process in all {
                let status = await process.terminate(within: .seconds(10))
                #expect(status == 0, "\(process.name) did not exit cleanly within 10 s: \(process.output)")
            }
        }
    }

    /// What an operator scrapes: the API counts requests by route template on its admin port (not on the
    /// public one), the worker counts the published post by platform, cron reports its leadership and the
    /// channels, and every process reports its memory and CPU.
    private func expectMetrics(apiPort: Int, apiAdmin: Int, worker: Int, cron: Int) async throws {
        #expect(try await HTTP(base: "http://127.0.0.1:\(apiPort)").text("/metrics").status == 404)
        let api = try await HTTP(base: "http://127.0.0.1:\(apiAdmin)").text("/metrics").body
        #expect(api.contains(#"arkyra_http_requests_total{route="/api/v1/organizations/{organization}/posts",method="POST",status="201"} 1"#), "\(api)")
        #expect(api.contains(#"arkyra_http_request_duration_seconds_bucket{route="/api/v1/auth/register""#))
        let workerText = try await HTTP(base: "http://127.0.0.1:\(worker)").text("/metrics").body
        #expect(workerText.contains(#"arkyra_posts_total{platform="mastodon",state="published"} 1"#), "\(workerText)")
        #expect(workerText.contains(#"arkyra_jobs_total{queue="publish",outcome="completed"} 1"#))
        var cronText = ""
        for _ in 0..<50 {
            cronText = try await HTTP(base: "http://127.0.0.1:\(cron)").text("/metrics").body
            if cronText.contains(#"arkyra_channels{platform="mastodon",state="connected"} 1"#) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(cronText.contains(#"arkyra_channels{platform="mastodon",state="connected"} 1"#), "\(cronText)")
        #expect(cronText.contains("arkyra_cron_leader 1"))
        #expect(api.contains(#"arkyra_dependency_up{dependency="db"} 1"#) && workerText.contains(#"arkyra_dependency_up{dependency="redis"} 1"#))
        #expect(api.contains(#"arkyra_db_connections{state="max"} 20"#) && workerText.contains(#"arkyra_db_connections{state="in_use"}"#), "\(workerText)")
        for text in [api, workerText, cronText] {
            let resident = text.split(separator: "\n").first { $0.hasPrefix("process_resident_memory_bytes ") }
            #expect((resident.flatMap { Double($0.split(separator: " ")[1]) } ?? 0) > 1_000_000)
        }
    }

    /// Runs `binary` to its end and returns its exit status.
    private func exitStatus(_ binary: String, _ arguments: [String]) async throws -> Int32? {
        let process = try RunningProcess(binary, arguments: arguments, environment: [:])
        let deadline = ContinuousClock.now + .seconds(20)
        while process.process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        return await process.terminate(within: .seconds(1))
    }
}
