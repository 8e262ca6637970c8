import Hummingbird
import Logging

/// Builds `arkyra-sandbox`: the emulated platform APIs (Mastodon under `/mastodon`, a Bluesky PDS under `/bluesky`) and the control API
/// under `/_sandbox`.
public func buildSandbox(configuration: SandboxConfiguration, logger: Logger) async -> some ApplicationProtocol {
    let state = SandboxState()
    for account in configuration.mastodonAccounts {
        _ = await state.addMastodonAccount(token: account.token, username: account.username)
    }
    let router = Router()
    let baseURL = "http://\(configuration.host):\(configuration.port)/mastodon"
    MastodonRoutes(state: state, baseURL: baseURL).add(to: router.group("mastodon"))
    let bluesky = BlueskyState()
    BlueskyRoutes(sandbox: state, state: bluesky).add(to: router.group("bluesky"))
    ControlRoutes(state: state, bluesky: bluesky).add(to: router.group("_sandbox"))
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        logger: logger
    )
}
