import ArkyraCore
import Foundation

/// Everything `arkyra-worker` reads at start-up.
public struct WorkerConfiguration: Sendable {
    public var service: ServiceConfiguration
    public var security: SecurityConfiguration
    /// Jobs one worker process runs at once.
    public var concurrency: Int
    /// This worker's consumer name in the consumer groups; unique per process.
    public var consumerName: String

    public init(service: ServiceConfiguration, security: SecurityConfiguration, concurrency: Int = 16, consumerName: String) {
        self.service = service
        self.security = security
        self.concurrency = concurrency
        self.consumerName = consumerName
    }

    /// Reads the shared keys plus `ARKYRA_WORKER_CONCURRENCY` and `ARKYRA_WORKER_ID`.
    public init(reader: EnvironmentReader) throws {
        self.init(
            service: try ServiceConfiguration(reader: reader, defaultAdminPort: 9101),
            security: try SecurityConfiguration(reader: reader),
            concurrency: try reader.int("ARKYRA_WORKER_CONCURRENCY", default: 16, in: 1...1024),
            consumerName: reader.string("ARKYRA_WORKER_ID", default: "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)")
        )
    }
}
