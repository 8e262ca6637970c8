import ArkyraCore
import Foundation
import Testing

@Suite("Recurrence across daylight-saving changes")
struct RecurrenceTests {
    let berlin = TimeZone(identifier: "Europe/Berlin")!

    private func utc(_ text: String) -> Date { ISO8601Timestamp.parse(text)! }

    @Test("a daily 09:00 Europe/Berlin post stays at 09:00 local when summer time ends and begins")
    func dailyAcrossDST() throws {
        let daily = Recurrence(unit: .day, every: 1)
        // 24 October 2026, 09:00 CEST (UTC+2) is 07:00 UTC; summer time ends on the 25th.
        let saturday = utc("2026-10-24T07:00:00Z")
        let sunday = try #require(daily.next(after: saturday, in: berlin, now: saturday))
        #expect(sunday == utc("2026-10-25T08:00:00Z"))  // 09:00 CET (UTC+1)
        #expect(daily.next(after: sunday, in: berlin, now: sunday) == utc("2026-10-26T08:00:00Z"))
        // Summer time begins on 28 March 2027.
        let beforeSpring = utc("2027-03-27T08:00:00Z")
        #expect(daily.next(after: beforeSpring, in: berlin, now: beforeSpring) == utc("2027-03-28T07:00:00Z"))  // 09:00 CEST
    }

    @Test("weekly and every-N-days series, and past occurrences are skipped")
    func weeklyAndSkipping() {
        let start = utc("2026-10-20T07:00:00Z")  // Tuesday 09:00 CEST
        #expect(Recurrence(unit: .week, every: 1).next(after: start, in: berlin, now: start) == utc("2026-10-27T08:00:00Z"))
        #expect(Recurrence(unit: .day, every: 3).next(after: start, in: berlin, now: start) == utc("2026-10-23T07:00:00Z"))
        let muchLater = utc("2026-11-02T12:00:00Z")
        #expect(Recurrence(unit: .day, every: 1).next(after: start, in: berlin, now: muchLater) == utc("2026-11-03T08:00:00Z"))
    }

    @Test("the server's own time zone plays no part")
    func independentOfServerZone() {
        let daily = Recurrence(unit: .day, every: 1)
        let tokyo = TimeZone(identifier: "Asia/Tokyo")!
        let start = utc("2026-10-24T00:00:00Z")  // 09:00 in Tokyo, which has no DST
        let serverZone = NSTimeZone.default
        defer { NSTimeZone.default = serverZone }
        // The process's default zone set to zones whose DST changes fall on that weekend or none at all.
        for zone in ["UTC", "Europe/London", "America/St_Johns", "Pacific/Kiritimati"] {
            NSTimeZone.default = TimeZone(identifier: zone)!
            #expect(daily.next(after: start, in: tokyo, now: start) == utc("2026-10-25T00:00:00Z"), "server zone \(zone)")
        }
    }
}
