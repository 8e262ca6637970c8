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
                      publishAt: occurrence, timeZone: input.timeZone, groupID: context.uuid()),
                options: Workflows.databaseActivity
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
}
