import GRPCCore

/// What a Temporal call can end in, in words a log reader or an API client understands.
public enum TemporalError: Error, CustomStringConvertible, Sendable {
    case configuration(String)
    /// The server cannot be reached or keeps refusing (after the retries); the caller answers 503.
    case unavailable(String)
    case notFound(String)
    case alreadyStarted(workflowID: String)
    case alreadyExists(String)
    /// A query the workflow refused or could not answer.
    case queryFailed(String)
    /// Any other status the server answered with.
    case rpc(code: String, message: String)

    public var description: String {
        switch self {
        case .configuration(let message): "Temporal configuration: \(message)"
        case .unavailable(let message): "Temporal is unavailable: \(message)"
        case .notFound(let message): "not found in Temporal: \(message)"
        case .alreadyStarted(let id): "a workflow with id \(id) is already running"
        case .alreadyExists(let message): "already exists in Temporal: \(message)"
        case .queryFailed(let message): "the workflow did not answer the query: \(message)"
        case .rpc(let code, let message): "Temporal answered \(code): \(message)"
        }
    }

    init(_ error: RPCError) {
        switch error.code {
        case .unavailable, .resourceExhausted, .deadlineExceeded:
            self = .unavailable("\(error.code): \(error.message)")
        case .notFound:
            self = .notFound(error.message)
        case .alreadyExists:
            self = .alreadyExists(error.message)
        default:
            self = .rpc(code: "\(error.code)", message: error.message)
        }
    }
}
