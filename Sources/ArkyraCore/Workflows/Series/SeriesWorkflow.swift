import ArkyraTemporal
import Foundation

/// A recurring series: a post group made from a template group at every occurrence of a recurrence (every N
/// days or weeks, or a cron rule), as wall-clock time in the author's zone — a 09:00 series stays at 09:00 across
/// daylight-saving changes. Each occurrence is scheduled through the publishing pipeline a little ahead of its time.
/// `pause` and `resume` signals hold and continue it (occurrences that passed meanwhile are skipped, not caught up),
/// `stop` ends it. It continues as new every `occurrencesPerRun` occurrences, so its history stays short however long
/// it runs.
package final class SeriesWorkflow: Workflow {
    package static let name = "Series"

    package struct Input: Codable, Sendable {
        package var organizationID: UUID
        package var templateGroupID: UUID
        package var createdBy: UUID
        package var recurrence: Recurrence
        package var timeZone: String
        /// The first occurrence, or (after continue-as-new) the last one made.
        package var anchor: Date
        /// Whether `anchor` is itself an occurrence still to make (true for a new series).
        package var anchorPending: Bool
        /// Occurrences made by earlier runs.
        package var made: Int
        package var paused: Bool
        /// How far ahead of an occurrence its posts are scheduled.
        package var leadSeconds: Int
        package var occurrencesPerRun: Int

        package init(organizationID: UUID, templateGroupID: UUID, createdBy: UUID, recurrence: Recurrence, timeZone: String,
                     firstAt: Date, leadSeconds: Int = 600, occurrencesPerRun: Int = 50) {
            self.organizationID = organizationID
            self.templateGroupID = templateGroupID
            self.createdBy = createdBy
            self.recurrence = recurrence
            self.timeZone = timeZone
            self.anchor = firstAt
            self.anchorPending = true
            self.made = 0
            self.paused = false
            self.leadSeconds = leadSeconds
            self.occurrencesPerRun = occurrencesPerRun
        }
    }

    /// The `state` query, and the result once stopped.
    package struct State: Codable, Sendable, Equatable {
        /// running, paused, stopped, finished (a rule without further occurrences).
        package var status: String
        package var made: Int
        package var nextAt: Date?
        package var lastGroupID: UUID?
    }

    let context: WorkflowContext
    var input: Input
    var paused: Bool
    var stopped = false
    var state: State

    package init(context: WorkflowContext, input: Input) throws {
        guard TimeZone(identifier: input.timeZone) != nil else {
            throw ApplicationFailure("unknown time zone \(input.timeZone)", type: "InvalidSeries", nonRetryable: true)
        }
        self.context = context
        self.input = input
        self.paused = input.paused
        self.state = State(status: input.paused ? "paused" : "running", made: input.made, nextAt: nil, lastGroupID: nil)
        context.onSignal("pause", as: Empty.self) { [unowned self] _ in paused = true }
        context.onSignal("resume", as: Empty.self) { [unowned self] _ in paused = false }
        context.onSignal("stop", as: Empty.self) { [unowned self] _ in stopped = true }
        context.onQuery("state") { [unowned self] in state }
    }

    package func run() async throws -> State {
        let zone = TimeZone(identifier: input.timeZone)!
        var madeThisRun = 0
        while !stopped {
            if paused {
                state.status = "paused"
                state.nextAt = nil
                try await context.condition { [unowned self] in !paused || stopped }
                continue
            }
            state.status = "running"
            // The next occurrence still ahead (a late start or a resumed series skips what it missed).
            let now = context.now
            var next: Date? = input.anchorPending ? input.anchor : input.recurrence.next(after: input.anchor, in: zone, now: now)
            if let candidate = next, candidate <= now { next = input.recurrence.next(after: candidate, in: zone, now: now) }
            guard let occurrence = next else {
                state.status = "finished"
                state.nextAt = nil
                return state
            }
            state.nextAt = occurrence
            let wait = occurrence.addingTimeInterval(-TimeInterval(input.leadSeconds)).timeIntervalSince(now)
            if wait > 0 {
                let interrupted = try await context.condition(timeout: .milliseconds(Int64(wait * 1000))) { [unowned self] in paused || stopped }
                if interrupted { continue }
            }
            let made = try await context.execute(
                CreateSeriesOccurrence.self,
                .init(organizationID: input.organizationID, templateGroupID: input.templateGroupID, createdBy: input.createdBy,
                      publishAt: occurrence, timeZone: input.timeZone, groupID: occurrenceGroupID(input.made + madeThisRun)),
                options: ApprovalWorkflow.databaseWork
            )
            madeThisRun += 1
            state.made = input.made + madeThisRun
            state.lastGroupID = made.groupID
            input.anchor = occurrence
            input.anchorPending = false
            if madeThisRun >= input.occurrencesPerRun {
                var next = input
                next.made += madeThisRun
                next.paused = paused
                throw try ContinueAsNew(input: next)
            }
        }
        state.status = "stopped"
        state.nextAt = nil
        return state
    }

    /// The group id of occurrence `index`: the same on every replay and retry, so an occurrence is made once.
    private func occurrenceGroupID(_ index: Int) -> UUID {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in "\(context.info.workflowID)#\(index)".utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        var second = hash
        for byte in "\(index)#\(context.info.workflowID)".utf8 { second = (second ^ UInt64(byte)) &* 1_099_511_628_211 }
        var bytes = withUnsafeBytes(of: hash) { Array($0) } + withUnsafeBytes(of: second) { Array($0) }
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
