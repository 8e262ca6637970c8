import ArkyraCore
import ArkyraTemporal
import Foundation
import Logging

/// What the services over ARKYRA's workflows share: the Temporal client, the post group a route names (in the
/// caller's organization, or 404), a run that must carry the caller's organization attribute (or 404), signals,
/// the organization's list of runs, and Temporal's trouble in words (503 while it does not answer).
struct WorkflowAccess {
    let database: Database
    let posts: PostRepository
    let audit: AuditRepository
    /// Where concurrent decisions are told apart (claimDecision).
    let redis: RedisClient
    /// Nil when the API was built without Temporal (some tests): the routes answer 503.
    let temporal: TemporalClient?
    let taskQueue: String

    /// A workflow run of the organization, for the list.
    struct Run: Encodable {
        var workflowId: String
        var runId: String
        var type: String
        var status: String
        var startedAt: Date
        var closedAt: Date?
    }

    func client() throws -> TemporalClient {
        guard let temporal else { throw APIError(.serviceUnavailable, "workflows_unavailable", "workflows are not configured on this server") }
        return temporal
    }

    /// The organization's group holding post `rawPostID`, in order.
    func group(of rawPostID: String, organizationID: UUID) async throws -> [Post] {
        guard let postID = UUID(uuidString: rawPostID),
              let post = try await posts.find(id: postID, organizationID: organizationID, client: database)
        else { throw APIError.notFound("post") }
        let group = try await posts.group(post.groupID, organizationID: organizationID, client: database)
        guard !group.isEmpty else { throw APIError.notFound("post") }
        return group
    }

    /// Starts `W` for the organization (its attribute set), mapping a running id to 409 `alreadyRunning`.
    func start<W: Workflow>(_ type: W.Type, id: String, input: W.Input, organizationID: UUID, alreadyRunning: APIError) async throws {
        do {
            try await client().start(type, id: id, taskQueue: taskQueue, input: input,
                                     searchAttributes: [Workflows.organizationAttribute: organizationID.uuidString])
        } catch TemporalError.alreadyStarted {
            throw alreadyRunning
        } catch let error as TemporalError {
            throw Self.apiError(error)
        }
    }

    /// The run `id` and the answer to its `state` query, once the run is the organization's (404 `what` otherwise).
    func state<State: Decodable>(of id: String, organizationID: UUID, as type: State.Type, missing what: String) async throws
        -> (run: WorkflowDescription, state: State)
    {
        let temporal = try client()
        do {
            let run = try await temporal.describe(workflowID: id)
            guard run.searchAttributes[Workflows.organizationAttribute] == organizationID.uuidString else { throw APIError.notFound(what) }
            return (run, try await temporal.query(workflowID: id, name: "state", as: type))
        } catch TemporalError.notFound {
            throw APIError.notFound(what)
        } catch let error as TemporalError {
            throw Self.apiError(error)
        }
    }

    /// Sends signal `name` to the open run `id` (409 `closed` when it has ended).
    func signal(_ id: String, name: String, input: some Encodable & Sendable, closed: APIError) async throws {
        do {
            try await client().signal(workflowID: id, name: name, input: input)
        } catch TemporalError.notFound {
            throw closed
        } catch let error as TemporalError {
            throw Self.apiError(error)
        }
    }

    /// Claims decision `round` (the number of decisions the run already has) of run `id` for this request. Two
    /// members deciding at the same moment both see the run waiting; only the first gets the claim, so the second
    /// is told at once instead of being answered 202 for a decision the workflow then ignores.
    func claimDecision(_ id: String, round: Int) async throws -> Bool {
        try await redis.set("arkyra:workflow-decision:\(id):\(round)", "1", expiresIn: .seconds(3600), onlyIfAbsent: true)
    }

    static let decisionTaken = APIError(.conflict, "decision_taken", "another member decided at the same moment; it is no longer waiting for a decision")

    func record(_ action: String, groupID: UUID, organizationID: UUID, by userID: UUID, origin: RequestOrigin, logger: Logger) async throws {
        try await record(action, target: ("post_group", groupID), organizationID: organizationID, by: userID, origin: origin, logger: logger)
    }

    func record(_ action: String, target: (type: String, id: UUID), organizationID: UUID, by userID: UUID, origin: RequestOrigin,
                logger: Logger) async throws {
        try await database.inTransaction(logger: logger) { connection in
            try await audit.record(
                AuditEvent(organizationID: organizationID, actorUserID: userID, action: action, targetType: target.type,
                           targetID: target.id.uuidString, origin: origin),
                on: connection
            )
        }
    }

    /// The organization's workflow runs, newest first (`type` one of the workflow types).
    func runs(organizationID: UUID, type: String?, pageToken: String?) async throws -> (runs: [Run], nextPageToken: String?) {
        let temporal = try client()
        var query = "\(Workflows.organizationAttribute) = '\(organizationID.uuidString)'"
        if let type {
            guard Workflows.names.contains(type) else {
                throw APIError.validation(["type": "must be one of \(Workflows.names.joined(separator: ", "))"])
            }
            query += " AND WorkflowType = '\(type)'"
        }
        var token = Data()
        if let pageToken {
            guard let decoded = JWTSigner.decodeBase64URL(Array(pageToken.utf8)) else { throw APIError.validation(["page_token": "is not a token this API issued"]) }
            token = decoded
        }
        do {
            let page = try await temporal.list(query: query, pageSize: 100, pageToken: token)
            let runs = page.runs.map { Run(workflowId: $0.workflowID, runId: $0.runID, type: $0.workflowType, status: $0.status, startedAt: $0.startTime, closedAt: $0.closeTime) }
            return (runs, page.nextPageToken.isEmpty ? nil : JWTSigner.base64URL(page.nextPageToken))
        } catch TemporalError.rpc(_, let message) where token.count > 0 {
            throw APIError.validation(["page_token": "was refused: \(message)"])
        } catch let error as TemporalError {
            throw Self.apiError(error)
        }
    }

    /// Temporal's trouble as the client sees it: 503 while it is unreachable, 502 for anything else it answered.
    static func apiError(_ error: TemporalError) -> APIError {
        switch error {
        case .unavailable:
            APIError(.serviceUnavailable, "temporal_unavailable", "the workflow engine (Temporal) is unavailable; try again shortly",
                     headers: ["Retry-After": "5"])
        case .notFound:
            APIError.notFound("workflow")
        default:
            APIError(.badGateway, "temporal_error", "the workflow engine answered: \(error)")
        }
    }
}
