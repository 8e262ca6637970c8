import ArkyraCore
import Foundation

/// Everything `arkyra-worker` reads at start-up.
package struct WorkerConfiguration: Sendable {
    package var service: ServiceConfiguration
    package var security: SecurityConfiguration
    /// Jobs one worker process runs at once.
    package var concurrency: Int
    /// This worker's consumer name in the consumer groups; unique per process.
    package var consumerName: String
    /// How long a job may go without a heartbeat before another worker takes it over.
    package var leases: QueueConsumer.Leases
    /// Email: the worker sends the notification queue's emails through this relay (none: they wait, buried).
    package var mail: MailConfiguration
    /// ffmpeg and ffprobe, for the media queue.
    package var mediaTools: MediaTools

    package init(service: ServiceConfiguration, security: SecurityConfiguration, concurrency: Int = 16, consumerName: String,
                 leases: QueueConsumer.Leases = .init(), mail: MailConfiguration = .init(),
                 mediaTools: MediaTools = MediaTools(ffmpeg: "/usr/bin/ffmpeg", ffprobe: "/usr/bin/ffprobe")) {
        self.service = service
        self.security = security
        self.concurrency = concurrency
        self.consumerName = consumerName
        self.leases = leases
        self.mail = mail
        self.mediaTools = mediaTools
    }

    /// Reads the shared keys plus `ARKYRA_WORKER_CONCURRENCY`, `ARKYRA_WORKER_ID`, `ARKYRA_WORKER_LEASE_SECONDS` and
    /// the media tools' paths (the worker does not start without ffmpeg and ffprobe).
    package init(reader: EnvironmentReader) throws {
        self.init(
            service: try ServiceConfiguration(reader: reader, defaultAdminPort: 9101),
            security: try SecurityConfiguration(reader: reader),
            concurrency: try reader.int("ARKYRA_WORKER_CONCURRENCY", default: 16, in: 1...1024),
            consumerName: reader.string(
                "ARKYRA_WORKER_ID",
                default: "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(4).lowercased())"
            ),
            leases: .init(leaseDuration: .seconds(try reader.int("ARKYRA_WORKER_LEASE_SECONDS", default: 10, in: 2...600))),
            mail: try MailConfiguration(reader: reader),
            mediaTools: try MediaTools(configuration: MediaToolsConfiguration(reader: reader))
        )
    }
}
