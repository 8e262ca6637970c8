@testable import ArkyraWorker
import Testing

@Suite("Doorbell")
struct DoorbellTests {
    @Test("a wait nobody rings ends at its time limit", .timeLimit(.minutes(1)))
    func timesOut() async {
        await Doorbell().wait(upTo: .milliseconds(1))
    }

    @Test("a ring wakes a waiter long before its time limit, and a ring before the wait is kept", .timeLimit(.minutes(1)))
    func ringWakes() async {
        let doorbell = Doorbell()
        // Either order works: a ring that finds nobody waiting is kept for the next wait. Were the ring lost,
        // the hour-long wait would outlast the test's time limit and fail it.
        async let waited: Void = doorbell.wait(upTo: .seconds(3600))
        doorbell.ring()
        await waited
        doorbell.ring()
        await doorbell.wait(upTo: .seconds(3600))
    }
}
