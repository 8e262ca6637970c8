import Foundation
import Logging

/// How a run's history drives its workflow code. The history is read in order; at each workflow task that was
/// answered before, the code runs until it waits (WorkflowExecutor) and the commands it issues must be the ones the
/// history then records — otherwise the code no longer takes the path the run took (a non-determinism, which fails
/// the workflow task and leaves the run as it was). At the last workflow task, the one being answered, the commands
/// not yet in the history are the answer.
extension WorkflowContext {
    /// Creates the run's context and workflow from its first event.
    static func start(_ events: [HistoryEvent], types: [String: WorkflowType], namespace: String, logger: Logger)
        throws -> WorkflowContext
    {
        guard let first = events.first, case .workflowExecutionStartedEventAttributes(let started)? = first.attributes else {
            throw WorkflowReplayError("the history does not begin with WorkflowExecutionStarted")
        }
        let info = WorkflowInfo(
            workflowID: started.workflowID.isEmpty ? started.originalExecutionRunID : started.workflowID,
            runID: started.originalExecutionRunID,
            workflowType: started.workflowType.name,
            taskQueue: started.taskQueue.name,
            namespace: namespace,
            attempt: Int(started.attempt),
            startTime: first.eventTime.date
        )
        let context = WorkflowContext(info: info, logger: logger)
        guard let type = types[started.workflowType.name] else {
            throw WorkflowReplayError("this worker has no workflow type \(started.workflowType.name)")
        }
        do {
            let run = try type.make(context, started.hasInput ? started.input : nil)
            context.mainTask = Task(executorPreference: context.executor) {
                let result: Result<Payload, any Error>
                do { result = .success(try await run.value()) } catch { result = .failure(error) }
                context.finish(result)
            }
        } catch {
            context.finish(.failure(error))
        }
        return context
    }

    /// Replays `events` (the whole history up to the task being answered) and returns the new commands.
    func replay(_ events: [HistoryEvent]) throws -> [Command] {
        for (index, event) in events.enumerated() {
            switch event.attributes {
            case .workflowTaskStartedEventAttributes:
                // A task that failed or timed out was not answered: its events wait for the next one.
                let outcome = events[(index + 1)...].first { $0.eventType == .workflowTaskCompleted || $0.eventType == .workflowTaskFailed || $0.eventType == .workflowTaskTimedOut }
                if let outcome, outcome.eventType != .workflowTaskCompleted { continue }
                isReplaying = outcome != nil
                now = event.eventTime.date
                readMarkers(after: outcome, in: events[(index + 1)...])
                try activate()
            case .workflowTaskCompletedEventAttributes, .workflowTaskScheduledEventAttributes, .workflowTaskFailedEventAttributes,
                 .workflowTaskTimedOutEventAttributes, .workflowExecutionStartedEventAttributes, .activityTaskStartedEventAttributes,
                 .none:
                continue
            default:
                if Self.isCommandEvent(event) { try confirm(event) } else { try resolve(event) }
            }
        }
        return Array(commands[confirmedCommands...])
    }

    /// Runs the code until every task of it waits, asking the conditions again after each round.
    func activate() throws {
        while true {
            guard executor.runUntilIdle() else {
                throw WorkflowReplayError("the workflow's code ran a million steps without waiting on its context")
            }
            if let divergence { throw WorkflowReplayError(divergence) }
            guard let ready = conditions.firstIndex(where: { $0.check() }) else { return }
            conditions.remove(at: ready).resolve(.success(true))
        }
    }

    /// The answer to query `name`, from the state the replay left.
    func answer(query name: String) throws -> Payload {
        guard let handler = queryHandlers[name] else {
            throw ApplicationFailure("the workflow has no query \(name) (it has: \(queryHandlers.keys.sorted().joined(separator: ", ")))", type: "QueryNotFound")
        }
        return try handler()
    }

    /// Ends the run's Swift tasks after its workflow task was answered: every wait throws, the code unwinds.
    func evict() {
        evicted = true
        cancelWaits()
        _ = executor.runUntilIdle(limit: 100_000)
        signalHandlers.removeAll()
        queryHandlers.removeAll()
        workflow = nil
    }

    // MARK: Commands

    func checkRunning() throws {
        if evicted || cancelRequested { throw CancellationError() }
    }

    func takeSequence() -> Int {
        defer { nextSequence += 1 }
        return nextSequence
    }

    func startTimer(_ duration: Duration) -> String {
        let id = "\(takeSequence())"
        var command = Command()
        command.commandType = .startTimer
        command.startTimerCommandAttributes.timerID = id
        command.startTimerCommandAttributes.startToFireTimeout = max(duration, .milliseconds(1)).protobuf
        commands.append(command)
        return id
    }

    func cancelTimer(_ id: String) {
        var command = Command()
        command.commandType = .cancelTimer
        command.cancelTimerCommandAttributes.timerID = id
        commands.append(command)
    }

    /// The command that ends the run, from how its code ended.
    func finish(_ result: Result<Payload, any Error>) {
        guard !finished, !evicted, divergence == nil else { return }
        finished = true
        var command = Command()
        switch result {
        case .success(let output):
            command.commandType = .completeWorkflowExecution
            command.completeWorkflowExecutionCommandAttributes.result.payloads = [output]
        case .failure(let next as ContinueAsNew):
            command.commandType = .continueAsNewWorkflowExecution
            command.continueAsNewWorkflowExecutionCommandAttributes.workflowType.name = info.workflowType
            command.continueAsNewWorkflowExecutionCommandAttributes.taskQueue.name = info.taskQueue
            command.continueAsNewWorkflowExecutionCommandAttributes.input = next.input
        case .failure(let error) where cancelRequested && error is CancellationError:
            command.commandType = .cancelWorkflowExecution
            command.cancelWorkflowExecutionCommandAttributes = .init()
        case .failure(let error):
            command.commandType = .failWorkflowExecution
            command.failWorkflowExecutionCommandAttributes.failure = ApplicationFailure.failure(from: error)
        }
        commands.append(command)
    }

    // MARK: Events

    /// Checks that an event the history recorded for a command is the next command the code issued.
    private func confirm(_ event: HistoryEvent) throws {
        guard confirmedCommands < commands.count else {
            throw WorkflowReplayError("the history has \(event.eventType) (event \(event.eventID)) where the code issued no command")
        }
        let command = commands[confirmedCommands]
        guard Self.matches(command, event) else {
            throw WorkflowReplayError("the code issued \(command.commandType) where the history has \(event.eventType) (event \(event.eventID))")
        }
        confirmedCommands += 1
        switch event.attributes {
        case .activityTaskScheduledEventAttributes(let scheduled)?:
            scheduledActivities[event.eventID] = scheduled.activityID
            activities[scheduled.activityID]?.eventID = event.eventID
        case .startChildWorkflowExecutionInitiatedEventAttributes(let initiated)?:
            initiatedChildren[event.eventID] = initiated.workflowID
            children[initiated.workflowID]?.eventID = event.eventID
        default:
            break
        }
    }

    /// Gives waiting code what an event brings.
    private func resolve(_ event: HistoryEvent) throws {
        switch event.attributes {
        case .activityTaskCompletedEventAttributes(let completed):
            takeActivity(completed.scheduledEventID)?.resolve(.success(completed.result.payloads.first))
        case .activityTaskFailedEventAttributes(let failed):
            if let activity = takeActivity(failed.scheduledEventID) {
                activity.resolve(.failure(ActivityFailure(activityType: activity.type, failure: failed.failure)))
            }
        case .activityTaskTimedOutEventAttributes(let timedOut):
            if let activity = takeActivity(timedOut.scheduledEventID) {
                activity.resolve(.failure(ActivityFailure(activityType: activity.type, failure: timedOut.failure)))
            }
        case .activityTaskCanceledEventAttributes(let canceled):
            takeActivity(canceled.scheduledEventID)?.resolve(.failure(CancellationError()))
        case .timerFiredEventAttributes(let fired):
            timers.removeValue(forKey: fired.timerID)?(.success(()))
        case .workflowExecutionSignaledEventAttributes(let signal):
            let input = signal.hasInput ? signal.input : nil
            if let handler = signalHandlers[signal.signalName] { handler(input) } else { bufferedSignals.append((signal.signalName, input)) }
        case .startChildWorkflowExecutionFailedEventAttributes(let failed):
            if let (id, child) = takeChild(failed.initiatedEventID) {
                let message = failed.cause == .workflowAlreadyExists ? "a workflow with this id already exists" : "could not start: \(failed.cause)"
                child.resolve(.failure(ChildWorkflowFailure(workflowType: child.type, workflowID: id, message: message,
                                                            type: failed.cause == .workflowAlreadyExists ? "already_started" : "failure")))
            }
        case .childWorkflowExecutionCompletedEventAttributes(let completed):
            takeChild(completed.initiatedEventID)?.child.resolve(.success(completed.result.payloads.first))
        case .childWorkflowExecutionFailedEventAttributes(let failed):
            if let (id, child) = takeChild(failed.initiatedEventID) {
                child.resolve(.failure(ChildWorkflowFailure(workflowType: child.type, workflowID: id, failure: failed.failure)))
            }
        case .childWorkflowExecutionTimedOutEventAttributes(let timedOut):
            if let (id, child) = takeChild(timedOut.initiatedEventID) {
                child.resolve(.failure(ChildWorkflowFailure(workflowType: child.type, workflowID: id, message: "timed out", type: "timeout")))
            }
        case .childWorkflowExecutionTerminatedEventAttributes(let terminated):
            if let (id, child) = takeChild(terminated.initiatedEventID) {
                child.resolve(.failure(ChildWorkflowFailure(workflowType: child.type, workflowID: id, message: "terminated", type: "terminated")))
            }
        case .childWorkflowExecutionCanceledEventAttributes(let canceled):
            takeChild(canceled.initiatedEventID)?.child.resolve(.failure(CancellationError()))
        case .workflowExecutionCancelRequestedEventAttributes:
            cancelRequested = true
            cancelWaits()
        default:
            // Events this SDK does not act on (terminated, timed out, properties modified externally, ...).
            break
        }
    }

    /// Every wait of the code throws CancellationError (a cancellation the run was asked for, or an eviction).
    private func cancelWaits() {
        // The waits of the run's task hear it first (WorkflowContext+Cancellation); whatever still waits then throws.
        mainTask?.cancel()
        let waitingActivities = activities.values.map(\.resolve) + children.values.map(\.resolve)
        let waitingTimers = Array(timers.values)
        let waitingConditions = conditions.map(\.resolve)
        activities.removeAll()
        children.removeAll()
        timers.removeAll()
        conditions.removeAll()
        for resolve in waitingActivities { resolve(.failure(CancellationError())) }
        for resolve in waitingTimers { resolve(.failure(CancellationError())) }
        for resolve in waitingConditions { resolve(.failure(CancellationError())) }
    }

    private func takeActivity(_ scheduledEventID: Int64) -> Pending<Payload?>? {
        guard let id = scheduledActivities.removeValue(forKey: scheduledEventID) else { return nil }
        return activities.removeValue(forKey: id)
    }

    private func takeChild(_ initiatedEventID: Int64) -> (id: String, child: Pending<Payload?>)? {
        guard let id = initiatedChildren.removeValue(forKey: initiatedEventID), let child = children.removeValue(forKey: id) else { return nil }
        return (id, child)
    }

    /// The patch ids and side-effect values recorded among the command events that follow a completed workflow task
    /// (none for the task being answered).
    private func readMarkers(after completed: HistoryEvent?, in events: ArraySlice<HistoryEvent>) {
        patchesOfThisTask = []
        sideEffectsOfThisTask = [:]
        guard let completed else { return }
        for event in events where event.eventID > completed.eventID {
            if event.eventType == .workflowTaskStarted { break }
            guard case .markerRecordedEventAttributes(let marker)? = event.attributes else { continue }
            if marker.markerName == Self.patchMarker, let id = try? PayloadConverter.value(String.self, from: marker.details["patch_id"]) {
                patchesOfThisTask.insert(id)
            } else if marker.markerName == Self.sideEffectMarker, let id = try? PayloadConverter.value(Int.self, from: marker.details["id"]),
                      let data = marker.details["data"] {
                sideEffectsOfThisTask[id] = data
            }
        }
    }

    private static func isCommandEvent(_ event: HistoryEvent) -> Bool {
        switch event.eventType {
        case .activityTaskScheduled, .timerStarted, .timerCanceled, .markerRecorded, .activityTaskCancelRequested,
             .workflowExecutionCompleted, .workflowExecutionFailed, .workflowExecutionCanceled, .workflowExecutionContinuedAsNew,
             .upsertWorkflowSearchAttributes, .workflowPropertiesModified, .startChildWorkflowExecutionInitiated,
             .signalExternalWorkflowExecutionInitiated, .requestCancelExternalWorkflowExecutionInitiated:
            true
        default:
            false
        }
    }

    private static func matches(_ command: Command, _ event: HistoryEvent) -> Bool {
        switch (command.attributes, event.attributes) {
        case (.scheduleActivityTaskCommandAttributes(let issued)?, .activityTaskScheduledEventAttributes(let recorded)?):
            issued.activityID == recorded.activityID && issued.activityType.name == recorded.activityType.name
        case (.startTimerCommandAttributes(let issued)?, .timerStartedEventAttributes(let recorded)?):
            issued.timerID == recorded.timerID
        case (.cancelTimerCommandAttributes(let issued)?, .timerCanceledEventAttributes(let recorded)?):
            issued.timerID == recorded.timerID
        case (.recordMarkerCommandAttributes(let issued)?, .markerRecordedEventAttributes(let recorded)?):
            issued.markerName == recorded.markerName && issued.details == recorded.details
        case (.requestCancelActivityTaskCommandAttributes(let issued)?, .activityTaskCancelRequestedEventAttributes(let recorded)?):
            issued.scheduledEventID == recorded.scheduledEventID
        case (.startChildWorkflowExecutionCommandAttributes(let issued)?, .startChildWorkflowExecutionInitiatedEventAttributes(let recorded)?):
            issued.workflowID == recorded.workflowID && issued.workflowType.name == recorded.workflowType.name
        case (.requestCancelExternalWorkflowExecutionCommandAttributes(let issued)?,
              .requestCancelExternalWorkflowExecutionInitiatedEventAttributes(let recorded)?):
            issued.workflowID == recorded.workflowExecution.workflowID
        case (.completeWorkflowExecutionCommandAttributes?, .workflowExecutionCompletedEventAttributes?),
             (.failWorkflowExecutionCommandAttributes?, .workflowExecutionFailedEventAttributes?),
             (.cancelWorkflowExecutionCommandAttributes?, .workflowExecutionCanceledEventAttributes?),
             (.continueAsNewWorkflowExecutionCommandAttributes?, .workflowExecutionContinuedAsNewEventAttributes?),
             (.upsertWorkflowSearchAttributesCommandAttributes?, .upsertWorkflowSearchAttributesEventAttributes?),
             (.modifyWorkflowPropertiesCommandAttributes?, .workflowPropertiesModifiedEventAttributes?):
            true
        default:
            false
        }
    }
}

/// The workflow's code and its history disagree, or the history cannot be replayed: the workflow task fails (Temporal
/// tries it again, e.g. after a fixed deploy) and the run stays as it was.
struct WorkflowReplayError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
