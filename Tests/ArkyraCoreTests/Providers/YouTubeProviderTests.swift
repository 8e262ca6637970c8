@testable import ArkyraCore
import Foundation
import Testing

@Suite("YouTube: errors, titles and text rules")
struct YouTubeProviderTests {
    @Test("YouTube's errors in words: a spent daily quota waits for midnight Pacific, a refused token asks for a refresh, refused metadata fails")
    func errors() throws {
        func answer(_ status: Int, _ reason: String, _ message: String) -> PlatformHTTP.Response {
            let body = #"{"error":{"code":\#(status),"message":"\#(message)","errors":[{"message":"\#(message)","domain":"youtube.quota","reason":"\#(reason)"}],"status":"X"}}"#
            return PlatformHTTP.Response(status: status, headers: ["Content-Type": "application/json"], body: .init(string: body))
        }
        let now = try #require(ISO8601Timestamp.parse("2026-12-04T20:00:00Z"))
        guard case .rateLimited(let until, let message) = YouTubeProvider.error(for: answer(403, "quotaExceeded", "quota"), mutates: true, now: now) else {
            Issue.record("a spent quota is a rate limit")
            return
        }
        #expect(until == ISO8601Timestamp.parse("2026-12-05T08:00:00Z"), "midnight in Los Angeles is 08:00 UTC in winter")
        #expect(message.contains("daily quota"))
        #expect(YouTubeProvider.error(for: answer(401, "authError", "bad token"), mutates: false) == .tokenExpired(message: "bad token (authError)"))
        #expect(YouTubeProvider.error(for: answer(400, "invalidTitle", "The request metadata specifies an invalid or empty video title."), mutates: true)
            == .rejected(status: 400, message: "The request metadata specifies an invalid or empty video title. (invalidTitle)"))
        if case .invalidCredentials = YouTubeProvider.error(for: answer(403, "insufficientPermissions", "scopes"), mutates: false) {} else {
            Issue.record("a missing scope asks for a reconnect")
        }
        #expect(YouTubeProvider(http: .init(client: .shared, timeout: .seconds(1), policy: .init(allowPrivateHosts: true)), app: nil).textProblem("a <b> tag") != nil)
        #expect(YouTubeProvider.title(of: "\n  Launch day  \nmore") == "Launch day")
        #expect(YouTubeProvider.title(of: String(repeating: "é", count: 150)).count == 100)
    }
}
