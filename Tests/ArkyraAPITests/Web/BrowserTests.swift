import ArkyraCore
import ArkyraTestSupport
import ArkyraWorker
import Foundation
import HTTPTypes
import NIOCore
import Testing

@Suite("Web: the app in a real browser (headless Chromium through selenium)")
struct BrowserTests {
    @Test("sign up, connect a channel, compose a thread, move it on the calendar, watch a post turn published live, the team, API key, audit and account screens, then read it in Arabic")
    func newcomerFlow() async throws {
        try await APITestHarness.run(overSocket: true) { api in
            // arkyra-worker publishes the posts sent "now"; the sandbox holds the first one's answer 4 s, so the
            // page shows it publishing before the event stream turns it published.
            var service = TestEnvironment.service(database: api.database, redis: api.redis.configuration)
            service.platforms = TestEnvironment.sandboxPlatforms(port: api.sandboxPort)
            service.outbound.timeout = .seconds(15)
            let worker = buildWorker(configuration: WorkerConfiguration(service: service, security: api.security, consumerName: "browser-worker"),
                                     logger: TestEnvironment.logger)
            try await worker.test(.live) { _ in
                // The second post sent now is refused (a revoked token), which the header's count announces.
                for fault in [#"{"platform":"mastodon","kind":"slow","count":1,"delay":4,"path":"/api/v1/statuses"}"#,
                              #"{"platform":"mastodon","kind":"invalid_token","count":1,"path":"/api/v1/statuses"}"#] {
                    try await api.sandbox.execute(uri: "/_sandbox/faults", method: .post, headers: [.contentType: "application/json"],
                                                  body: ByteBuffer(string: fault)) { #expect($0.status == .created) }
                }
                let port = try #require(api.client.port)
                let run = try await TestPython.run("Tests/Browser/web_flow.py", ["http://127.0.0.1:\(port)", api.instanceURL, "good"], timeout: 180)
                #expect(run.status == 0, "\(run.output)")
                #expect(run.output.contains("web flow: all checks passed"))
            }
        }
    }
}
