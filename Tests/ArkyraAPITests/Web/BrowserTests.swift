import ArkyraTestSupport
import Foundation
import Testing

@Suite("Web: the app in a real browser (headless Chromium through selenium)")
struct BrowserTests {
    @Test("sign up, connect a channel, compose a thread, see it and move it on the calendar, the team, API key, audit and account screens, then read it in Arabic")
    func newcomerFlow() async throws {
        try await APITestHarness.run(overSocket: true) { api in
            let port = try #require(api.client.port)
            let run = try await TestPython.run("Tests/Browser/web_flow.py", ["http://127.0.0.1:\(port)", api.instanceURL, "good"], timeout: 180)
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.contains("web flow: all checks passed"))
        }
    }
}
