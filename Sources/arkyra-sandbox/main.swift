import ArgumentParser
import ArkyraSandbox
import Hummingbird
import Logging

@main
struct ArkyraSandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arkyra-sandbox",
        abstract: "Development and test emulator of the platforms' HTTP APIs (Mastodon under /mastodon) with a control API under /_sandbox."
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8090

    @Option(help: "Mastodon accounts to create at start, as token:username[,token:username].")
    var mastodonAccounts = ""

    func run() async throws {
        let accounts = try SandboxConfiguration.parseAccounts(mastodonAccounts)
        var logger = Logger(label: "arkyra-sandbox")
        logger.logLevel = .notice
        let app = await buildSandbox(configuration: SandboxConfiguration(host: host, port: port, mastodonAccounts: accounts), logger: logger)
        try await app.runService()
    }
}
