import Foundation

/// Instagram professional accounts through Facebook Login — the way for accounts linked to a Facebook Page
/// (and the only way for those managed in Meta Business Suite): the person consents with the installation's
/// Facebook app (``FacebookProvider``'s login: a user token of 60 days), chooses one of their Pages' linked
/// Instagram accounts (`/me/accounts` with `instagram_business_account`), and the Page's token — which does
/// not expire — publishes on the Graph API exactly as ``InstagramProvider`` does with Instagram Login
/// (containers, carousels, Reels, thread items as comments).
package struct InstagramFacebookProvider: OAuthProvider, ChoosingProvider {
    package let identifier = "instagram-facebook"
    package let displayName = "Instagram"
    package let connectMethod = ConnectMethod.oauth2
    package let requiresInstanceURL = false
    package let scopes = ["instagram_basic", "instagram_content_publish", "instagram_manage_comments", "pages_show_list", "pages_read_engagement",
                          "business_management"]
    package let scopeSeparator = ","
    package let clientIDSetting = "ARKYRA_FACEBOOK_CLIENT_ID"
    package let usesPKCE = false
    package let app: PlatformConfiguration.OAuthApp?
    let login: FacebookProvider
    let instagram: InstagramProvider
    let http: PlatformHTTP

    /// - Parameter app: the installation's Facebook app (`ARKYRA_FACEBOOK_…`), whose Graph API serves Instagram too.
    package init(http: PlatformHTTP, app: PlatformConfiguration.OAuthApp?) {
        self.http = http
        self.app = app
        login = FacebookProvider(http: http, app: app)
        instagram = InstagramProvider(http: http, app: app, clientIDSetting: "ARKYRA_FACEBOOK_CLIENT_ID")
    }

    package var supportsIdempotencyKeys: Bool { instagram.supportsIdempotencyKeys }
    package var findsPublishedPosts: Bool { instagram.findsPublishedPosts }
    package var maximumCharacters: Int { instagram.maximumCharacters }
    package var rateLimitWindow: TimeInterval { instagram.rateLimitWindow }
    package var mediaRules: MediaRules { instagram.mediaRules }
    package var deletesPosts: Bool { instagram.deletesPosts }
    package func characterCount(of text: String) -> Int { instagram.characterCount(of: text) }
    package func textProblem(_ text: String) -> String? { instagram.textProblem(text) }

    package func connect(_ request: ConnectRequest) async throws -> ConnectedAccount {
        throw ProviderError.rejected(status: 0, message: "Instagram accounts linked to a Page connect through Facebook's consent page, not with a token")
    }

    // MARK: Connecting

    package func exchange(code: String, verifier: String, redirectURI: String) async throws -> ConnectedAccount {
        try await login.exchange(code: code, verifier: verifier, redirectURI: redirectURI)
    }

    /// The Instagram accounts linked to the person's Pages.
    package func choices(for connected: ConnectedAccount) async throws -> [ProviderChoice] {
        try await linked(connected).map { ProviderChoice(id: $0.account.id, name: "@\($0.account.username) (\($0.page.name))", kind: "Instagram account") }
    }

    package func choose(_ choiceID: String, of connected: ConnectedAccount) async throws -> ConnectedAccount {
        guard let found = try await linked(connected).first(where: { $0.account.id == choiceID }), let token = found.page.accessToken else {
            throw ProviderError.rejected(status: 0, message: "\(choiceID) is not an Instagram account linked to a Page of \(connected.account.name)")
        }
        let account = found.account
        return ConnectedAccount(
            account: ProviderAccount(id: account.id, name: account.name ?? account.username, username: account.username, avatarURL: account.profilePictureURL),
            credentials: ProviderCredentials(accessToken: token, instanceURL: nil)
        )
    }

    private func linked(_ connected: ConnectedAccount) async throws -> [(page: FacebookPage, account: InstagramProfile)] {
        guard let app else { throw ProviderError.rejected(status: 0, message: "this installation has no Facebook app; an administrator sets \(clientIDSetting)") }
        let fields = "id,name,access_token,tasks,instagram_business_account{id,username,name,profile_picture_url}"
        let request = GraphAPI.request(.GET, app.api("/\(FacebookProvider.version)/me/accounts"), [("fields", fields), ("limit", "100")],
                                       token: connected.credentials.accessToken)
        let response = try await http.send(request, mutates: false)
        guard response.status == 200 else { throw GraphError.classify(response, mutates: false, platform: "Facebook") }
        guard let pages = response.decode(LinkedPages.self) else {
            throw ProviderError.rejected(status: response.status, message: "the server did not answer like Facebook's Graph API")
        }
        return pages.data.compactMap { entry in entry.instagram.map { (entry.page, $0) } }
    }

    // MARK: Publishing (as Instagram Login does)

    package func publish(_ post: PublishRequest) async throws -> PublishedPost { try await instagram.publish(post) }
    package func publishStep(_ post: PublishRequest) async throws -> PublishStep { try await instagram.publishStep(post) }
    package func findPublished(_ post: PublishRequest) async throws -> PublishedPost? { try await instagram.findPublished(post) }
    package func delete(_ post: DeleteRequest) async throws { try await instagram.delete(post) }
    package var readsMetrics: Bool { instagram.readsMetrics }
    package func metrics(_ post: MetricsRequest) async throws -> PostMetrics { try await instagram.metrics(post) }
}

/// `/me/accounts` with each Page's linked Instagram account.
struct LinkedPages: Decodable {
    var data: [Entry]

    struct Entry: Decodable {
        var page: FacebookPage
        var instagram: InstagramProfile?

        init(from decoder: any Decoder) throws {
            page = try FacebookPage(from: decoder)
            instagram = try decoder.container(keyedBy: Keys.self).decodeIfPresent(InstagramProfile.self, forKey: .instagram)
        }

        enum Keys: String, CodingKey { case instagram = "instagram_business_account" }
    }
}
