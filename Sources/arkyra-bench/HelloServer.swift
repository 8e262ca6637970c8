import ArgumentParser
import Hummingbird
import Logging

/// A Hummingbird hello-world server: the most a route can do on this machine, measured beside the API.
struct HelloServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hello", abstract: "Serve GET /hello until stopped.")

    @Option(help: "Port to listen on (127.0.0.1).") var port = 58390

    func run() async throws {
        var logger = Logger(label: "hello")
        logger.logLevel = .error
        let router = Router()
        router.get("hello") { _, _ in "Hello, world!" }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil), logger: logger)
        try await app.runService()
    }
}
