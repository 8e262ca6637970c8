import ArgumentParser
import ArkyraTemporal
import Foundation
import Logging

/// ARKYRA's workflow worker on a task queue, running the benchmark's workflows until stopped: what
/// scripts/bench/temporal.py measures beside Temporal's Python SDK running the same two workflows.
struct WorkflowWorkerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "workflow-worker", abstract: "Run the benchmark's workflows on a Temporal task queue.")

    @Option(help: "Temporal's frontend, host:port.") var address = "127.0.0.1:47233"
    @Option(help: "The task queue to poll.") var taskQueue: String
    @Option(help: "Long polls kept open at once.") var pollers = 4

    func run() async throws {
        var logger = Logger(label: "bench.workflows")
        logger.logLevel = .error
        let service = WorkflowService(configuration: try TemporalConfiguration(address: address, identity: "arkyra-bench@\(ProcessInfo.processInfo.processIdentifier)"), logger: logger)
        let worker = WorkflowWorker(service: service, taskQueue: taskQueue, workflows: [BenchNoop.self, BenchWait.self], pollers: pollers, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            group.addTask { try await worker.run() }
            try await group.next()
        }
    }
}

/// Returns its input at once: one workflow task per run.
final class BenchNoop: Workflow {
    static let name = "BenchNoop"
    let input: Int
    init(context: WorkflowContext, input: Int) { self.input = input }
    func run() async throws -> Int { input }
}

/// Waits for the signal "go": an open run, for the memory of many of them.
final class BenchWait: Workflow {
    static let name = "BenchWait"
    let context: WorkflowContext
    var go = false
    init(context: WorkflowContext, input: Empty) {
        self.context = context
        context.onSignal("go", as: Empty.self) { [unowned self] _ in go = true }
    }
    func run() async throws -> String {
        try await context.condition { [unowned self] in go }
        return "done"
    }
}
