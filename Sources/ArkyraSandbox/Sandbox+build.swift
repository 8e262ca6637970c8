import Hummingbird
import Logging

/// Builds `arkyra-sandbox`: the emulated platform APIs (Mastodon under `/mastodon`) and the control API
/// under `/_sandbox`.
public func buildSandbox(configuration: SandboxConfiguration, logger: Logger) async -> some ApplicationProtocol {
    let state = SandboxState()
    for account in configuration.mastodonAccounts {
        _ = await state.addMastodonAccount(token: account.token, username: account.username)
    }
    let router = Router()
    let baseURL = "http://\(configuration.host):\(configuration.port)/mastodon"
    MastodonRoutes(state: state, baseURL: baseURL).add(to: router.group("mastodon"))
    ControlRoutes(state: state).add(to: router.group("_sandbox"))
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        logger: logger
    )
}
