/// The providers a process can use, by identifier.
package struct ProviderRegistry: Sendable {
    private let providers: [String: any Provider]

    package init(_ providers: [any Provider]) {
        self.providers = Dictionary(providers.map { ($0.identifier, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The provider for `identifier`, or nil when ARKYRA does not support it.
    package func provider(for identifier: String) -> (any Provider)? {
        providers[identifier]
    }

    /// Every platform ARKYRA supports, talking through `http`, as this installation's apps on them.
    package static func all(http: PlatformHTTP, platforms: PlatformConfiguration) -> ProviderRegistry {
        ProviderRegistry([
            MastodonProvider(http: http), BlueskyProvider(http: http, videoService: platforms.blueskyVideo), XProvider(http: http, app: platforms.x),
            LinkedInProvider(http: http, app: platforms.linkedIn),
            LinkedInPageProvider(http: http, app: platforms.linkedIn), TelegramProvider(http: http, bot: platforms.telegram),
            DiscordProvider(http: http, app: platforms.discord), SlackProvider(http: http, app: platforms.slack),
            ThreadsProvider(http: http, app: platforms.threads), FacebookProvider(http: http, app: platforms.facebook),
            InstagramProvider(http: http, app: platforms.instagram), InstagramFacebookProvider(http: http, app: platforms.facebook),
            PinterestProvider(http: http, app: platforms.pinterest),
            RedditProvider(http: http, app: platforms.reddit), YouTubeProvider(http: http, app: platforms.youtube),
            TikTokProvider(http: http, app: platforms.tiktok),
        ])
    }

    /// Supported identifiers, sorted.
    package var identifiers: [String] { providers.keys.sorted() }
}
