import ArkyraCore
import ArkyraTemporal
import Foundation
import Logging

/// Recurring series on Temporal (ArkyraCore/Workflows/Series): a post group is the template, copied and scheduled
/// at every occurrence. Every call is checked against the caller's organization first (WorkflowAccess).
struct SeriesService {
    let access: WorkflowAccess
    let logger: Logger

    /// A series as the API shows it.
    struct Series: Encodable {
        var workflowId: String
        var templateGroupId: UUID
        /// running, paused, stopped, finished.
        var status: String
        var runStatus: String
        var made: Int
        var nextAt: Date?
        var lastGroupId: UUID?
        var startedAt: Date
    }

    /// Starts a series from the group holding post `rawPostID`.
    /// - Throws: 404, 422 (recurrence, first time, zone), 409 (a series of this template runs), 503 (Temporal down).
    func start(organizationID: UUID, postID rawPostID: String, recurrence input: PostService.RecurrenceInput, firstAt rawFirstAt: String,
               timeZone rawZone: String?, by userID: UUID, origin: RequestOrigin, now: Date = Date()) async throws -> Series {
        _ = try access.client()
        var problems: [String: String] = [:]
        let recurrence = PostService.recurrence(input, problems: &problems)
        let firstAt = ISO8601Timestamp.parse(rawFirstAt)
        if firstAt == nil { problems["first_at"] = "must be an ISO 8601 timestamp with a time zone" }
        if let firstAt, firstAt <= now { problems["first_at"] = "must be in the future" }
        let zone = rawZone ?? "UTC"
        if TimeZone(identifier: zone) == nil { problems["time_zone"] = "must be an IANA time zone such as Europe/Berlin" }
        guard problems.isEmpty, let recurrence, let firstAt else { throw APIError.validation(problems) }
        let groupID = try await access.group(of: rawPostID, organizationID: organizationID)[0].groupID
        try await access.start(
            SeriesWorkflow.self, id: Self.workflowID(groupID),
            input: SeriesWorkflow.Input(organizationID: organizationID, templateGroupID: groupID, createdBy: userID, recurrence: recurrence,
                                        timeZone: zone, firstAt: firstAt),
            organizationID: organizationID,
            alreadyRunning: APIError(.conflict, "series_running", "a series from this post group is already running")
        )
        try await access.record("series.started", groupID: groupID, organizationID: organizationID, by: userID, origin: origin, logger: logger)
        return try await series(groupID: groupID, organizationID: organizationID)
    }

    func series(organizationID: UUID, postID rawPostID: String) async throws -> Series {
        _ = try access.client()
        let groupID = try await access.group(of: rawPostID, organizationID: organizationID)[0].groupID
        return try await series(groupID: groupID, organizationID: organizationID)
    }

    /// `pause`, `resume` or `stop`; 409 when the series has ended.
    func signal(_ name: String, organizationID: UUID, postID rawPostID: String, by userID: UUID, origin: RequestOrigin) async throws -> Series {
        _ = try access.client()
        let groupID = try await access.group(of: rawPostID, organizationID: organizationID)[0].groupID
        let current = try await series(groupID: groupID, organizationID: organizationID)
        let closed = APIError(.conflict, "series_ended", "the series has ended")
        guard current.runStatus == "running" else { throw closed }
        try await access.signal(Self.workflowID(groupID), name: name, input: Empty(), closed: closed)
        try await access.record("series.\(name)", groupID: groupID, organizationID: organizationID, by: userID, origin: origin, logger: logger)
        return current
    }

    static func workflowID(_ groupID: UUID) -> String { "series-\(groupID.uuidString.lowercased())" }

    private func series(groupID: UUID, organizationID: UUID) async throws -> Series {
        let id = Self.workflowID(groupID)
        let (run, state) = try await access.state(of: id, organizationID: organizationID, as: SeriesWorkflow.State.self, missing: "series")
        return Series(workflowId: id, templateGroupId: groupID, status: state.status, runStatus: run.status == "continued_as_new" ? "running" : run.status,
                      made: state.made, nextAt: state.nextAt, lastGroupId: state.lastGroupID, startedAt: run.startTime)
    }
}
