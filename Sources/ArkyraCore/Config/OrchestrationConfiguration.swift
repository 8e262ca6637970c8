import ArkyraTemporal
import Foundation

/// Where the workflows run: the Temporal frontend (the dev server `make run` starts, a cluster, or Temporal Cloud)
/// and the task queue ARKYRA's workflows and activities share.
package struct OrchestrationConfiguration: Sendable {
    package var temporal: TemporalConfiguration
    package var taskQueue: String
    /// How long a campaign waits for the platforms' counts after asking the worker to read them again.
    package var campaignCountsWaitSeconds: Int

    package init(temporal: TemporalConfiguration, taskQueue: String = "arkyra", campaignCountsWaitSeconds: Int = 300) {
        self.temporal = temporal
        self.taskQueue = taskQueue
        self.campaignCountsWaitSeconds = campaignCountsWaitSeconds
    }

    /// The dev server of scripts/temporal-server.sh.
    package static var local: OrchestrationConfiguration {
        OrchestrationConfiguration(temporal: try! TemporalConfiguration(address: "127.0.0.1:47233", identity: identity))
    }

    /// Reads `ARKYRA_TEMPORAL_ADDRESS` (host:port), `ARKYRA_TEMPORAL_NAMESPACE`, `ARKYRA_TEMPORAL_TASK_QUEUE`,
    /// `ARKYRA_TEMPORAL_TLS` (true for TLS), `ARKYRA_TEMPORAL_TLS_CA_FILE`, `ARKYRA_TEMPORAL_TLS_CERT_FILE` and
    /// `ARKYRA_TEMPORAL_TLS_KEY_FILE` (mutual TLS), `ARKYRA_TEMPORAL_API_KEY` (Temporal Cloud; needs TLS),
    /// `ARKYRA_CAMPAIGN_COUNTS_WAIT_SECONDS` (1–86400, default 300).
    package init(reader: EnvironmentReader) throws {
        let certificate = reader.string("ARKYRA_TEMPORAL_TLS_CERT_FILE")
        let key = reader.string("ARKYRA_TEMPORAL_TLS_KEY_FILE")
        let authority = reader.string("ARKYRA_TEMPORAL_TLS_CA_FILE")
        let security: TemporalConfiguration.Security
        switch (certificate, key) {
        case let (certificate?, key?):
            security = .mutualTLS(certificatePath: certificate, keyPath: key, certificateAuthorityPath: authority)
        case (nil, nil):
            security = try reader.bool("ARKYRA_TEMPORAL_TLS", default: false) ? .tls(certificateAuthorityPath: authority) : .plaintext
        default:
            throw ConfigurationError(key: certificate == nil ? "ARKYRA_TEMPORAL_TLS_CERT_FILE" : "ARKYRA_TEMPORAL_TLS_KEY_FILE",
                                     problem: "mutual TLS needs both the certificate and its key")
        }
        let temporal: TemporalConfiguration
        do {
            temporal = try TemporalConfiguration(
                address: reader.string("ARKYRA_TEMPORAL_ADDRESS", default: "127.0.0.1:47233"),
                namespace: reader.string("ARKYRA_TEMPORAL_NAMESPACE", default: "default"),
                identity: Self.identity, security: security, apiKey: reader.string("ARKYRA_TEMPORAL_API_KEY")
            )
        } catch let error as TemporalError {
            throw ConfigurationError(key: "ARKYRA_TEMPORAL_ADDRESS", problem: error.description)
        }
        let taskQueue = reader.string("ARKYRA_TEMPORAL_TASK_QUEUE", default: "arkyra")
        guard !taskQueue.isEmpty else { throw ConfigurationError(key: "ARKYRA_TEMPORAL_TASK_QUEUE", problem: "must not be empty") }
        self.init(temporal: temporal, taskQueue: taskQueue,
                  campaignCountsWaitSeconds: try reader.int("ARKYRA_CAMPAIGN_COUNTS_WAIT_SECONDS", default: 300, in: 1...86_400))
    }

    /// This process in Temporal's histories: `arkyra-worker@host:pid`.
    static var identity: String {
        let process = ProcessInfo.processInfo
        return "\(process.processName)@\(process.hostName):\(process.processIdentifier)"
    }
}
