import ArkyraCore
import Testing

@Suite("Doorbell")
struct DoorbellTests {
    @Test("a wait ends at its time limit when nobody rings")
    func timesOut() async {
        let doorbell = Doorbell()
        let clock = ContinuousClock()
        let elapsed = await clock.measure { await doorbell.wait(upTo: .milliseconds(100)) }
        #expect(elapsed >= .milliseconds(100))
    }

    @Test("a ring wakes the waiter early, and a ring before the wait is kept")
    func ringWakes() async {
        let doorbell = Doorbell()
        let clock = ContinuousClock()
        async let waited = clock.measure { await doorbell.wait(upTo: .seconds(30)) }
        try? await Task.sleep(for: .milliseconds(50))
        doorbell.ring()
        #expect(await waited < .seconds(5))
        doorbell.ring()
        #expect(await clock.measure { await doorbell.wait(upTo: .seconds(30)) } < .seconds(5))
    }
}
