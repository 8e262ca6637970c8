import Foundation

/// The apps ARKYRA is registered as on platforms that connect accounts through OAuth, and where their APIs
/// are (configurable so that tests and `make run` point them at arkyra-sandbox). A platform without a
/// client id cannot be connected; its channels say so instead of failing later.
package struct PlatformConfiguration: Sendable {
    /// One OAuth 2.0 app: its credentials, the page people consent on and the API's base URL.
    package struct OAuthApp: Sendable, Equatable {
        package var clientID: String
        /// Nil for a public client (PKCE alone); confidential clients authenticate to the token endpoint.
        package var clientSecret: String?
        package var authorizeURL: URL
        package var apiURL: URL
        /// The token endpoint, where a platform keeps it on a host of its own (Instagram); nil: beside the API.
        package var tokenURL: URL?

        package init(clientID: String, clientSecret: String?, authorizeURL: URL, apiURL: URL, tokenURL: URL? = nil) {
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.authorizeURL = authorizeURL
            self.apiURL = apiURL
            self.tokenURL = tokenURL
        }

        /// `path` (starting with `/`) under the API's base URL, whether or not the base ends with `/`.
        package func api(_ path: String) -> String {
            var text = apiURL.absoluteString
            while text.hasSuffix("/") { text.removeLast() }
            return text + path
        }
    }

    /// X (Twitter): OAuth 2.0 with PKCE, user context.
    package var x: OAuthApp?
    /// LinkedIn, posting as a member: OAuth 2.0 (3-legged) with the client secret; the token endpoint sits
    /// beside the consent page (`…/oauth/v2/accessToken`).
    package var linkedIn: OAuthApp?

    /// A bot of the Bot API: its token (from @BotFather) and the API's base URL.
    package struct Bot: Sendable, Equatable {
        package var token: String
        package var apiURL: URL

        package init(token: String, apiURL: URL) {
            self.token = token
            self.apiURL = apiURL
        }

        /// The URL of Bot API method `method` (`https://api.telegram.org/bot<token>/<method>`).
        package func method(_ method: String) -> String {
            var text = apiURL.absoluteString
            while text.hasSuffix("/") { text.removeLast() }
            return "\(text)/bot\(token)/\(method)"
        }
    }

    /// Telegram: the installation's bot, which people add to their channels and groups.
    package var telegram: Bot?

    /// Discord: an app whose bot people add to their servers through Discord's consent page; the bot posts.
    package struct DiscordApp: Sendable, Equatable {
        package var oauth: OAuthApp
        package var botToken: String

        package init(oauth: OAuthApp, botToken: String) {
            self.oauth = oauth
            self.botToken = botToken
        }
    }

    package var discord: DiscordApp?
    /// Slack: an app installed in workspaces through Slack's consent page (OAuth v2); its bot posts.
    package var slack: OAuthApp?
    /// Threads (Meta): an app with the Threads use case; the token endpoints sit under the API's base URL.
    package var threads: OAuthApp?
    /// Facebook Pages (Meta): an app with Facebook Login; the token endpoint is the Graph API's.
    package var facebook: OAuthApp?
    /// Instagram professional accounts through Instagram Login; the code is traded at `…_TOKEN_URL`.
    package var instagram: OAuthApp?
    /// Pinterest boards: an app of Pinterest's developer platform; the token endpoint is the API's.
    package var pinterest: OAuthApp?
    /// Reddit: a "web app"; the token endpoint sits beside the consent page, the API on oauth.reddit.com.
    package var reddit: OAuthApp?
    /// YouTube: a Google Cloud project's OAuth client ("Web application") with the YouTube Data API v3
    /// enabled; Google's token endpoint is on a host of its own (`…_TOKEN_URL`).
    package var youtube: OAuthApp?
    /// Bluesky's video service, which takes videos for every PDS (`ARKYRA_BLUESKY_VIDEO_URL`).
    package var blueskyVideo: URL
    /// TikTok: an app of TikTok for Developers with Login Kit and the Content Posting API; its `client_key`.
    package var tiktok: OAuthApp?

    package init(x: OAuthApp? = nil, linkedIn: OAuthApp? = nil, telegram: Bot? = nil, discord: DiscordApp? = nil, slack: OAuthApp? = nil,
                 threads: OAuthApp? = nil, facebook: OAuthApp? = nil, instagram: OAuthApp? = nil, pinterest: OAuthApp? = nil,
                 reddit: OAuthApp? = nil, youtube: OAuthApp? = nil, tiktok: OAuthApp? = nil,
                 blueskyVideo: URL = BlueskyProvider.videoService) {
        self.x = x
        self.linkedIn = linkedIn
        self.telegram = telegram
        self.discord = discord
        self.slack = slack
        self.threads = threads
        self.facebook = facebook
        self.instagram = instagram
        self.pinterest = pinterest
        self.reddit = reddit
        self.youtube = youtube
        self.tiktok = tiktok
        self.blueskyVideo = blueskyVideo
    }

    /// Reads `ARKYRA_<PLATFORM>_CLIENT_ID`, `_CLIENT_SECRET`, `_AUTHORIZE_URL` and `_API_URL` for X
    /// (`ARKYRA_X_…`), LinkedIn (`ARKYRA_LINKEDIN_…`), Slack (`ARKYRA_SLACK_…`), Threads (`ARKYRA_THREADS_…`), Facebook (`ARKYRA_FACEBOOK_…`), Instagram (`ARKYRA_INSTAGRAM_…`, with `_TOKEN_URL`), Pinterest (`ARKYRA_PINTEREST_…`), Reddit (`ARKYRA_REDDIT_…`), YouTube (`ARKYRA_YOUTUBE_…`, with `_TOKEN_URL`), TikTok (`ARKYRA_TIKTOK_…`), Bluesky's video service (`ARKYRA_BLUESKY_VIDEO_URL`) and
    /// Discord (`ARKYRA_DISCORD_…`, with `_BOT_TOKEN`);
    /// `ARKYRA_TELEGRAM_BOT_TOKEN` and `_API_URL`.
    /// - Throws: ``ConfigurationError`` for a URL that is not one, or a secret without a client id.
    package init(reader: EnvironmentReader) throws {
        self.init(
            x: try Self.app(reader, prefix: "ARKYRA_X", authorizeURL: "https://x.com/i/oauth2/authorize", apiURL: "https://api.x.com"),
            linkedIn: try Self.app(
                reader, prefix: "ARKYRA_LINKEDIN", authorizeURL: "https://www.linkedin.com/oauth/v2/authorization", apiURL: "https://api.linkedin.com"
            ),
            telegram: try Self.bot(reader),
            discord: try Self.discord(reader),
            slack: try Self.app(reader, prefix: "ARKYRA_SLACK", authorizeURL: "https://slack.com/oauth/v2/authorize", apiURL: "https://slack.com"),
            threads: try Self.app(reader, prefix: "ARKYRA_THREADS", authorizeURL: "https://threads.net/oauth/authorize", apiURL: "https://graph.threads.net"),
            facebook: try Self.app(
                reader, prefix: "ARKYRA_FACEBOOK", authorizeURL: "https://www.facebook.com/\(FacebookProvider.version)/dialog/oauth", apiURL: "https://graph.facebook.com"
            ),
            instagram: try Self.app(
                reader, prefix: "ARKYRA_INSTAGRAM", authorizeURL: "https://www.instagram.com/oauth/authorize", apiURL: "https://graph.instagram.com",
                tokenURL: "https://api.instagram.com/oauth/access_token"
            ),
            pinterest: try Self.app(reader, prefix: "ARKYRA_PINTEREST", authorizeURL: "https://www.pinterest.com/oauth/", apiURL: "https://api.pinterest.com"),
            reddit: try Self.app(reader, prefix: "ARKYRA_REDDIT", authorizeURL: "https://www.reddit.com/api/v1/authorize", apiURL: "https://oauth.reddit.com"),
            youtube: try Self.app(
                reader, prefix: "ARKYRA_YOUTUBE", authorizeURL: "https://accounts.google.com/o/oauth2/v2/auth", apiURL: "https://www.googleapis.com",
                tokenURL: "https://oauth2.googleapis.com/token"
            ),
            tiktok: try Self.app(reader, prefix: "ARKYRA_TIKTOK", authorizeURL: "https://www.tiktok.com/v2/auth/authorize/", apiURL: "https://open.tiktokapis.com"),
            blueskyVideo: try reader.url("ARKYRA_BLUESKY_VIDEO_URL", default: BlueskyProvider.videoService.absoluteString, schemes: ["http", "https"])
        )
    }

    private static func discord(_ reader: EnvironmentReader) throws -> DiscordApp? {
        let token = reader.string("ARKYRA_DISCORD_BOT_TOKEN", default: "")
        guard let app = try Self.app(reader, prefix: "ARKYRA_DISCORD", authorizeURL: "https://discord.com/oauth2/authorize", apiURL: "https://discord.com/api/v10") else {
            if !token.isEmpty { throw ConfigurationError(key: "ARKYRA_DISCORD_CLIENT_ID", problem: "must be set when ARKYRA_DISCORD_BOT_TOKEN is") }
            return nil
        }
        guard !token.isEmpty else {
            throw ConfigurationError(key: "ARKYRA_DISCORD_BOT_TOKEN", problem: "must be set when ARKYRA_DISCORD_CLIENT_ID is: the app's Bot → Token")
        }
        return DiscordApp(oauth: app, botToken: token)
    }

    private static func bot(_ reader: EnvironmentReader) throws -> Bot? {
        let token = reader.string("ARKYRA_TELEGRAM_BOT_TOKEN", default: "")
        guard !token.isEmpty else { return nil }
        guard token.wholeMatch(of: /[0-9]+:[A-Za-z0-9_-]+/) != nil else {
            throw ConfigurationError(key: "ARKYRA_TELEGRAM_BOT_TOKEN", problem: "must be a bot token as @BotFather gives it: digits, a colon, then letters, digits, _ and -")
        }
        return Bot(token: token, apiURL: try reader.url("ARKYRA_TELEGRAM_API_URL", default: "https://api.telegram.org", schemes: ["http", "https"]))
    }

    private static func app(_ reader: EnvironmentReader, prefix: String, authorizeURL: String, apiURL: String, tokenURL: String? = nil) throws -> OAuthApp? {
        let clientID = reader.string("\(prefix)_CLIENT_ID", default: "")
        let secret = reader.string("\(prefix)_CLIENT_SECRET", default: "")
        guard !clientID.isEmpty else {
            if !secret.isEmpty { throw ConfigurationError(key: "\(prefix)_CLIENT_ID", problem: "must be set when \(prefix)_CLIENT_SECRET is") }
            return nil
        }
        return OAuthApp(
            clientID: clientID, clientSecret: secret.isEmpty ? nil : secret,
            authorizeURL: try reader.url("\(prefix)_AUTHORIZE_URL", default: authorizeURL, schemes: ["http", "https"]),
            apiURL: try reader.url("\(prefix)_API_URL", default: apiURL, schemes: ["http", "https"]),
            tokenURL: try tokenURL.map { try reader.url("\(prefix)_TOKEN_URL", default: $0, schemes: ["http", "https"]) }
        )
    }
}
