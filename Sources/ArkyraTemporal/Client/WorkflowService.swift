import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import SwiftProtobuf

/// Temporal's `temporal.api.workflowservice.v1.WorkflowService` over gRPC: the methods ArkyraTemporal calls, each
/// with the namespace header, the API key, a deadline, and retries with backoff while the server answers
/// UNAVAILABLE or RESOURCE_EXHAUSTED. Start `run()` in a task before (or while) calling.
public final class WorkflowService: Sendable {
    public let configuration: TemporalConfiguration
    private let client: GRPCClient<HTTP2ClientTransport.Posix>
    private let logger: Logger
    private static let service = ServiceDescriptor(fullyQualifiedService: "temporal.api.workflowservice.v1.WorkflowService")

    public init(configuration: TemporalConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        // Throws only for a target no resolver of the default registry resolves, and it always resolves DNS names.
        let transport = try! HTTP2ClientTransport.Posix(
            target: .dns(host: configuration.host, port: configuration.port),
            transportSecurity: Self.security(configuration.security),
            config: .defaults { config in
                // Long polls keep a stream open for a minute; keep the connection alive across them.
                config.connection.maxIdleTime = nil
                config.backoff.max = .seconds(5)
            }
        )
        client = GRPCClient(transport: transport)
    }

    /// Maintains the connection until `shutdown()`.
    public func run() async throws {
        try await client.runConnections()
    }

    public func shutdown() {
        client.beginGracefulShutdown()
    }

    /// Calls `method` with `request`. Polls pass `poll: true` for the long-poll deadline.
    func call<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: String, _ request: Request, poll: Bool = false, attempts: Int? = nil
    ) async throws -> Response {
        let attempts = attempts ?? configuration.attempts
        var metadata: Metadata = ["temporal-namespace": "\(configuration.namespace)"]
        if let apiKey = configuration.apiKey { metadata.addString("Bearer \(apiKey)", forKey: "authorization") }
        var options = CallOptions.defaults
        options.timeout = poll ? configuration.pollTimeout : configuration.callTimeout
        let descriptor = MethodDescriptor(service: Self.service, method: method)
        var delay = Duration.milliseconds(100)
        for attempt in 1...attempts {
            do {
                return try await client.unary(
                    request: ClientRequest(message: request, metadata: metadata),
                    descriptor: descriptor,
                    serializer: ProtobufSerializer<Request>(),
                    deserializer: ProtobufDeserializer<Response>(),
                    options: options
                ) { try $0.message }
            } catch let error as RPCError where error.code == .unavailable || error.code == .resourceExhausted {
                guard attempt < attempts else { throw TemporalError(error) }
                logger.debug("Temporal \(method) answered \(error.code); trying again", metadata: ["attempt": "\(attempt)"])
                try await Task.sleep(for: delay * Double.random(in: 0.5...1.5))
                delay = min(delay * 2, .seconds(3))
            } catch let error as RPCError {
                throw TemporalError(error)
            }
        }
        throw TemporalError.unavailable("no attempt was made")
    }

    private static func security(_ security: TemporalConfiguration.Security) -> HTTP2ClientTransport.Posix.TransportSecurity {
        switch security {
        case .plaintext:
            return .plaintext
        case .tls(let authority):
            return .tls { config in
                if let authority { config.trustRoots = .certificates([.file(path: authority, format: .pem)]) }
            }
        case .mutualTLS(let certificate, let key, let authority):
            return .mTLS(certificateChain: [.file(path: certificate, format: .pem)], privateKey: .file(path: key, format: .pem)) { config in
                if let authority { config.trustRoots = .certificates([.file(path: authority, format: .pem)]) }
            }
        }
    }
}

private struct ProtobufSerializer<Message: SwiftProtobuf.Message>: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: Message) throws -> Bytes {
        Bytes(try message.serializedBytes() as [UInt8])
    }
}

private struct ProtobufDeserializer<Message: SwiftProtobuf.Message>: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message {
        try serializedMessageBytes.withUnsafeBytes { try Message(serializedBytes: Array($0)) }
    }
}
