@testable import ArkyraCore
import Foundation
import Testing

@Suite("TikTok: errors, failure reasons, counting and the container")
struct TikTokProviderTests {
    func answer(_ status: Int, _ code: String, _ message: String) -> PlatformHTTP.Response {
        let body = #"{"data":{},"error":{"code":"\#(code)","message":"\#(message)","log_id":"202612040000001"}}"#
        return PlatformHTTP.Response(status: status, headers: ["Content-Type": "application/json"], body: .init(string: body))
    }

    @Test("each error code is classified: an invalid token refreshes, limits wait, an unaudited app is told in words")
    func errors() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(TikTokProvider.error(for: answer(401, "access_token_invalid", "The access token is invalid."), mutates: false, now: now)
            == .tokenExpired(message: "The access token is invalid. (access_token_invalid)"))
        #expect(TikTokProvider.error(for: answer(429, "rate_limit_exceeded", "slow down"), mutates: false, now: now)
            == .rateLimited(retryAt: now.addingTimeInterval(60), message: "slow down (rate_limit_exceeded)"))
        guard case .rateLimited(let until, _) = TikTokProvider.error(for: answer(403, "spam_risk_too_many_posts", "cap"), mutates: false, now: now) else {
            Issue.record("the daily cap is a rate limit")
            return
        }
        #expect(until == now.addingTimeInterval(86_400))
        guard case .rejected(_, let message) = TikTokProvider.error(for: answer(403, "unaudited_client_can_only_post_to_private_accounts", "x"), mutates: false) else {
            Issue.record("an unaudited app's refusal is permanent")
            return
        }
        #expect(message.contains("has not audited"))
        if case .invalidCredentials = TikTokProvider.error(for: answer(401, "scope_not_authorized", "scope"), mutates: false) {} else {
            Issue.record("a missing scope asks for a reconnect")
        }
        if case .unavailable = TikTokProvider.error(for: PlatformHTTP.Response(status: 200, headers: [:], body: .init(string: "<html>")), mutates: false) {} else {
            Issue.record("an answer that is not TikTok's is retried, not trusted")
        }
    }

    @Test("captions are counted in UTF-16 units; failure reasons read as words; the container keeps id, size and username")
    func rules() {
        let provider = TikTokProvider(http: .init(client: .shared, timeout: .seconds(1), policy: .init(allowPrivateHosts: true)), app: nil)
        #expect(provider.characterCount(of: "🍳 home") == 7)
        #expect(TikTokProvider.words(forFailure: "duration_check_failed").contains("longer than the creator may post"))
        #expect(TikTokProvider.words(forFailure: "something_new") == "something_new")
        let container = TikTokContainer("v_pub_file~v2-1.123 22020096 ada_tok")
        #expect(container.publishID == "v_pub_file~v2-1.123")
        #expect(container.size == 22_020_096)
        #expect(container.username == "ada_tok")
        #expect(TikTokContainer(container.id).id == container.id)
    }
}
