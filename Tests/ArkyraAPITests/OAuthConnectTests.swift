import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite("API: connecting a channel through the platform's consent page (OAuth 2.0 with PKCE)")
struct OAuthConnectTests {
    /// The callback's path and query, as the platform's redirect gives them.
    private func callbackPath(_ back: URLComponents) -> String {
        back.path + "?" + (back.percentEncodedQuery ?? "")
    }

    @Test("consent stores the channel once; the same state again, a refused consent and a forged state store nothing",
          arguments: ["x", "linkedin", "threads", "instagram", "youtube", "tiktok"])
    func connectFlow(platform: String) async throws {
        try await APITestHarness.run { api in
            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let start = "/api/v1/organizations/\(organization)/integrations/oauth/\(platform)"

            let started = try await api.request(.post, start, token: token)
            #expect(started.status == .created)
            let link = try #require(started.json["authorization_url"] as? String)
            #expect(started.json["expires_in"] as? Int == 600)
            let asked = try #require(URLComponents(string: link))
            #expect(asked.query("redirect_uri")?.hasSuffix("/api/v1/oauth/\(platform)/callback") == true)
            if platform == "x" {
                #expect(asked.query("code_challenge_method") == "S256")
                #expect(asked.query("scope")?.contains("offline.access") == true)
            } else if platform == "linkedin" {
                // LinkedIn's web apps use the client secret, not PKCE.
                #expect(asked.query("code_challenge") == nil)
                #expect(asked.query("scope") == "openid profile w_member_social")
            } else if platform == "youtube" {
                // Google: PKCE, and offline access with a fresh consent so that a refresh token always comes.
                #expect(asked.query("code_challenge_method") == "S256")
                #expect(asked.query("access_type") == "offline")
                #expect(asked.query("prompt") == "consent")
                #expect(asked.query("scope")?.split(separator: " ").contains("https://www.googleapis.com/auth/youtube.upload") == true)
            } else if platform == "tiktok" {
                // TikTok names the app `client_key`.
                #expect(asked.query("client_key") == "arkyra-sandbox-client")
                #expect(asked.query("client_id") == nil)
                #expect(asked.query("scope") == "user.info.basic,video.publish,video.upload,video.list")
            } else {
                // Meta's consent pages: the client secret, comma-separated scopes.
                #expect(asked.query("code_challenge") == nil)
                #expect(asked.query("scope") == (platform == "threads" ? "threads_basic,threads_content_publish,threads_delete"
                    : "instagram_business_basic,instagram_business_content_publish,instagram_business_manage_comments"))
            }

            let back = try await SandboxConsent.answer(link, allow: true, on: api.sandbox)
            #expect(back.query("state") == asked.query("state"))
            let connected = try await api.request(.get, callbackPath(back))
            #expect(connected.status == .created)
            #expect(connected.json["provider"] as? String == platform)
            #expect(connected.json["username"] as? String == (platform == "linkedin" ? "Sandbox Writer" : "sandbox_writer"))

            let replayed = try await api.request(.get, callbackPath(back))
            #expect(replayed.status == .badRequest)
            #expect(replayed.errorCode == "invalid_oauth_state")

            let second = try await api.request(.post, start, token: token)
            let denied = try await SandboxConsent.answer(try #require(second.json["authorization_url"] as? String), allow: false, on: api.sandbox)
            #expect(denied.query("error") == "access_denied")
            let refused = try await api.request(.get, callbackPath(denied))
            #expect(refused.status == .badRequest)
            #expect(refused.errorCode == "consent_denied")
            #expect(try await api.request(.get, callbackPath(denied)).errorCode == "invalid_oauth_state")

            let forged = try await api.request(.get, "/api/v1/oauth/\(platform)/callback?state=made-up&code=anything")
            #expect(forged.errorCode == "invalid_oauth_state")

            let channels = try await api.request(.get, "/api/v1/organizations/\(organization)/integrations", token: token)
            #expect((channels.json["integrations"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test("a code the platform refuses (a stale verifier, a code used twice) stores nothing and says so")
    func refusedCode() async throws {
        try await APITestHarness.run { api in
            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let started = try await api.request(.post, "/api/v1/organizations/\(organization)/integrations/oauth/x", token: token)
            var back = try await SandboxConsent.answer(try #require(started.json["authorization_url"] as? String), allow: true, on: api.sandbox)
            back.queryItems = back.queryItems?.map { $0.name == "code" ? URLQueryItem(name: "code", value: "not-the-code") : $0 }
            let refused = try await api.request(.get, callbackPath(back))
            #expect(refused.status == .unprocessableContent)
            #expect(refused.errorCode == "channel_rejected")
            let channels = try await api.request(.get, "/api/v1/organizations/\(organization)/integrations", token: token)
            #expect((channels.json["integrations"] as? [[String: Any]])?.isEmpty == true)
        }
    }

    @Test("platforms that connect otherwise, and an installation without an X app, answer what to do instead")
    func otherPaths() async throws {
        try await APITestHarness.run(configure: { $0.service.platforms = PlatformConfiguration() }) { api in
            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let unconfigured = try await api.request(.post, "/api/v1/organizations/\(organization)/integrations/oauth/x", token: token)
            #expect(unconfigured.status == .serviceUnavailable)
            #expect(unconfigured.errorCode == "platform_not_configured")
            #expect(unconfigured.errorMessage?.contains("ARKYRA_X_CLIENT_ID") == true)
            let mastodon = try await api.request(.post, "/api/v1/organizations/\(organization)/integrations/oauth/mastodon", token: token)
            #expect(mastodon.errorCode == "connect_with_credentials")
            let byToken = try await api.request(.post, "/api/v1/organizations/\(organization)/integrations", token: token, json: ["provider": "x", "access_token": "t"])
            #expect(byToken.status == .unprocessableContent)
            #expect(byToken.errorCode == "connect_with_consent")
        }
    }
}
