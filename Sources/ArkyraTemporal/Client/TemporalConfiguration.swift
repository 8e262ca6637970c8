import Foundation

/// Where Temporal's frontend is and how to talk to it: the dev server on loopback, a cluster with TLS or mutual
/// TLS, or Temporal Cloud with an API key (docs/operations.md).
public struct TemporalConfiguration: Sendable {
    public enum Security: Sendable, Equatable {
        /// No TLS: the dev server, or a cluster inside a trusted network.
        case plaintext
        /// TLS verified against the system's roots, or against the PEM bundle at `certificateAuthorityPath`; the
        /// server's name is the address's host.
        case tls(certificateAuthorityPath: String?)
        /// Mutual TLS: the client presents the certificate and key at these paths (Temporal Cloud's mTLS namespaces).
        case mutualTLS(certificatePath: String, keyPath: String, certificateAuthorityPath: String?)
    }

    public var host: String
    public var port: Int
    public var namespace: String
    /// Who this process is, in Temporal's UI and histories ("arkyra-orchestrator@host:pid").
    public var identity: String
    public var security: Security
    /// Sent as `Authorization: Bearer …` (Temporal Cloud API keys); TLS is then required.
    public var apiKey: String?
    /// The deadline of an ordinary call; long polls wait up to `pollTimeout`.
    public var callTimeout: Duration
    public var pollTimeout: Duration
    /// How many times a call answered UNAVAILABLE or RESOURCE_EXHAUSTED is tried in all.
    public var attempts: Int

    public init(
        address: String,
        namespace: String = "default",
        identity: String,
        security: Security = .plaintext,
        apiKey: String? = nil,
        callTimeout: Duration = .seconds(10),
        pollTimeout: Duration = .seconds(70),
        attempts: Int = 5
    ) throws {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (1...65535).contains(port), colon != address.startIndex
        else { throw TemporalError.configuration("ARKYRA_TEMPORAL_ADDRESS must be host:port, got \"\(address)\"") }
        guard !namespace.isEmpty else { throw TemporalError.configuration("the Temporal namespace is empty") }
        if apiKey != nil, security == .plaintext {
            throw TemporalError.configuration("a Temporal API key is only sent over TLS (set ARKYRA_TEMPORAL_TLS=true)")
        }
        self.host = String(address[..<colon])
        self.port = port
        self.namespace = namespace
        self.identity = identity
        self.security = security
        self.apiKey = apiKey
        self.callTimeout = callTimeout
        self.pollTimeout = pollTimeout
        self.attempts = max(1, attempts)
    }

    public var address: String { "\(host):\(port)" }
}
