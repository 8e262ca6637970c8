import Hummingbird
import Logging

/// Builds `arkyra-sandbox`: the emulated platform APIs (Mastodon under `/mastodon`, a Bluesky PDS under `/bluesky` and its video service under `/bluesky-video`, X under `/x`, LinkedIn under
/// `/linkedin`, Telegram's Bot API under `/telegram`, Discord under `/discord`, Slack under `/slack`, Threads under `/threads`, Instagram under `/instagram`, Facebook's Graph API under `/facebook`, Pinterest under `/pinterest`, Reddit under `/reddit`, YouTube under `/youtube`, TikTok under `/tiktok`) and the control API
/// under `/_sandbox`.
package func buildSandbox(configuration: SandboxConfiguration, logger: Logger) async -> some ApplicationProtocol {
    let sandbox = SandboxState()
    let mastodon = MastodonState()
    for account in configuration.mastodonAccounts {
        _ = await mastodon.addAccount(token: account.token, username: account.username)
    }
    let router = Router()
    let baseURL = "http://\(configuration.host):\(configuration.port)/mastodon"
    MastodonRoutes(sandbox: sandbox, state: mastodon, baseURL: baseURL).add(to: router.group("mastodon"))
    let bluesky = BlueskyState()
    BlueskyRoutes(sandbox: sandbox, state: bluesky).add(to: router.group("bluesky"))
    let blueskyVideo = BlueskyVideoState()
    BlueskyVideoRoutes(sandbox: sandbox, pds: bluesky, state: blueskyVideo).add(to: router.group("bluesky-video"))
    let xOAuth = OAuthServer(policy: XState.oauthPolicy)
    let x = XState()
    XRoutes(sandbox: sandbox, oauth: xOAuth, state: x).add(to: router.group("x"))
    let linkedInOAuth = OAuthServer(policy: LinkedInState.oauthPolicy)
    let linkedIn = LinkedInState()
    LinkedInRoutes(sandbox: sandbox, oauth: linkedInOAuth, state: linkedIn).add(to: router.group("linkedin"))
    let telegram = TelegramState(botToken: configuration.telegramBotToken)
    TelegramRoutes(sandbox: sandbox, state: telegram).add(to: router.group("telegram"))
    let discordOAuth = OAuthServer(policy: DiscordState.oauthPolicy)
    let discord = DiscordState(botToken: configuration.discordBotToken)
    DiscordRoutes(sandbox: sandbox, oauth: discordOAuth, state: discord).add(to: router.group("discord"))
    let slackOAuth = OAuthServer(policy: SlackState.oauthPolicy)
    let slack = SlackState()
    SlackRoutes(sandbox: sandbox, oauth: slackOAuth, state: slack).add(to: router.group("slack"))
    var meta: [String: (state: MetaContainerState, oauth: OAuthServer, routes: MetaContainerRoutes)] = [:]
    for dialect in [MetaDialect.threads, .instagram] {
        let server = OAuthServer(policy: dialect.oauthPolicy)
        let routes = MetaContainerRoutes(sandbox: sandbox, oauth: server, state: MetaContainerState(), dialect: dialect)
        routes.add(to: router.group(RouterPath(dialect.platform)))
        meta[dialect.platform] = (routes.state, server, routes)
    }
    let facebookOAuth = OAuthServer(policy: FacebookState.oauthPolicy)
    let facebook = FacebookState()
    FacebookRoutes(sandbox: sandbox, oauth: facebookOAuth, state: facebook, instagram: meta["instagram"].map { ($0.routes, $0.oauth) })
        .add(to: router.group("facebook"))
    let pinterestOAuth = OAuthServer(policy: PinterestState.oauthPolicy)
    let pinterest = PinterestState()
    PinterestRoutes(sandbox: sandbox, oauth: pinterestOAuth, state: pinterest).add(to: router.group("pinterest"))
    let redditOAuth = OAuthServer(policy: RedditState.oauthPolicy)
    let reddit = RedditState()
    RedditRoutes(sandbox: sandbox, oauth: redditOAuth, state: reddit).add(to: router.group("reddit"))
    let youTubeOAuth = OAuthServer(policy: YouTubeState.oauthPolicy)
    let youTube = YouTubeState()
    YouTubeRoutes(sandbox: sandbox, oauth: youTubeOAuth, state: youTube).add(to: router.group("youtube"))
    let tikTokOAuth = OAuthServer(policy: TikTokState.oauthPolicy)
    let tikTok = TikTokState()
    TikTokRoutes(sandbox: sandbox, oauth: tikTokOAuth, state: tikTok).add(to: router.group("tiktok"))
    ControlRoutes(
        sandbox: sandbox, mastodon: mastodon, bluesky: bluesky, blueskyVideo: blueskyVideo, x: x, linkedIn: linkedIn, telegram: telegram, discord: discord, slack: slack,
        meta: meta.mapValues(\.state), facebook: facebook, pinterest: pinterest, reddit: reddit, youTube: youTube, tikTok: tikTok,
        oauth: ["x": xOAuth, "linkedin": linkedInOAuth, "discord": discordOAuth, "slack": slackOAuth, "facebook": facebookOAuth, "pinterest": pinterestOAuth, "reddit": redditOAuth, "youtube": youTubeOAuth, "tiktok": tikTokOAuth].merging(meta.mapValues(\.oauth)) { $1 }
    ).add(to: router.group("_sandbox"))
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        logger: logger
    )
}
