import AsyncHTTPClient
import NIOPosix
import ServiceLifecycle

/// The HTTP client a worker talks to platforms with, sized for its concurrency (AsyncHTTPClient's default of
/// 8 connections per host would queue a busy worker's requests behind each other). Shut down on graceful
/// shutdown; list it before the services that use it, so it stops after them.
package struct PlatformHTTPClient: Service {
    package let client: HTTPClient

    package init(connectionsPerHost: Int) {
        var configuration = PlatformHTTP.clientConfiguration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost)
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    package func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
