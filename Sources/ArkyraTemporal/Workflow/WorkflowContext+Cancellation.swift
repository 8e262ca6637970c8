import Foundation

/// What happens when workflow code cancels the Swift task that waits on the context (a task group's `cancelAll()`,
/// a lost race, the run's own cancellation): the wait throws CancellationError at once, and Temporal is told to stop
/// what the wait was for — the activity, the timer, the child workflow. Something issued in the same activation, and
/// so not yet in the history, is withdrawn instead. All of it runs on the thread running the activation, in the
/// order the code cancels, so a replay cancels the same way.
extension WorkflowContext {
    /// A wait for an activity's or a child workflow's outcome.
    struct Pending<Value> {
        let type: String
        /// The event that recorded the command, once the history has it.
        var eventID: Int64?
        let resolve: (Result<Value, any Error>) -> Void

        init(type: String, resolve: @escaping (Result<Value, any Error>) -> Void) {
            self.type = type
            self.resolve = resolve
        }
    }

    func cancelActivity(_ id: String) {
        guard let pending = activities.removeValue(forKey: id) else { return }
        if let eventID = pending.eventID {
            scheduledActivities.removeValue(forKey: eventID)
            if !evicted {
                var command = Command()
                command.commandType = .requestCancelActivityTask
                command.requestCancelActivityTaskCommandAttributes.scheduledEventID = eventID
                commands.append(command)
            }
        } else {
            withdraw { $0.scheduleActivityTaskCommandAttributes.activityID == id && $0.commandType == .scheduleActivityTask }
        }
        pending.resolve(.failure(CancellationError()))
    }

    func cancelSleep(_ id: String) {
        guard let resolve = timers.removeValue(forKey: id) else { return }
        if !evicted { cancelTimer(id) }
        resolve(.failure(CancellationError()))
    }

    func cancelCondition(_ id: Int) {
        guard let index = conditions.firstIndex(where: { $0.id == id }) else { return }
        // Its resolution cancels its timer.
        conditions.remove(at: index).resolve(.failure(CancellationError()))
    }

    func cancelChild(_ id: String) {
        guard let pending = children.removeValue(forKey: id) else { return }
        if let eventID = pending.eventID {
            initiatedChildren.removeValue(forKey: eventID)
            if !evicted {
                var command = Command()
                command.commandType = .requestCancelExternalWorkflowExecution
                command.requestCancelExternalWorkflowExecutionCommandAttributes.namespace = info.namespace
                command.requestCancelExternalWorkflowExecutionCommandAttributes.workflowID = id
                command.requestCancelExternalWorkflowExecutionCommandAttributes.childWorkflowOnly = true
                commands.append(command)
            }
        } else {
            withdraw { $0.startChildWorkflowExecutionCommandAttributes.workflowID == id && $0.commandType == .startChildWorkflowExecution }
        }
        pending.resolve(.failure(CancellationError()))
    }

    /// Removes the command not yet in the history that `matches`.
    private func withdraw(_ matches: (Command) -> Bool) {
        guard let index = commands[confirmedCommands...].firstIndex(where: matches) else { return }
        commands.remove(at: index)
    }
}
