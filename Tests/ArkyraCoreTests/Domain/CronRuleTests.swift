import ArkyraCore
import Foundation
import Testing

@Suite("Cron-like repeat rules")
struct CronRuleTests {
    let berlin = TimeZone(identifier: "Europe/Berlin")!

    private func utc(_ text: String) -> Date { ISO8601Timestamp.parse(text)! }

    private func series(_ expression: String, from start: String, count: Int, in zone: TimeZone) throws -> [String] {
        let rule = try CronRule(expression)
        var times: [String] = []
        var previous = utc(start)
        for _ in 0..<count {
            guard let next = rule.next(after: previous, in: zone, now: previous) else { break }
            times.append(ISO8601Timestamp.format(next))
            previous = next
        }
        return times
    }

    @Test("weekdays at 09:00 Berlin time skip the weekend and stay at 09:00 local when summer time ends")
    func weekdays() throws {
        // Friday 23 October 2026 09:00 CEST; summer time ends on Sunday the 25th.
        let times = try series("0 9 * * 1-5", from: "2026-10-23T07:00:00Z", count: 3, in: berlin)
        #expect(times.map { String($0.prefix(19)) } == ["2026-10-26T08:00:00", "2026-10-27T08:00:00", "2026-10-28T08:00:00"])
    }

    @Test("steps, lists, names and the day fields' either-or rule")
    func fields() throws {
        let quarterHours = try series("*/15 10 * * *", from: "2026-06-01T00:00:00Z", count: 5, in: .gmt)
        #expect(quarterHours.map { String($0.prefix(16)) } == ["2026-06-01T10:00", "2026-06-01T10:15", "2026-06-01T10:30", "2026-06-01T10:45", "2026-06-02T10:00"])
        let named = try series("30 8 * JAN,JUL MON", from: "2026-06-30T00:00:00Z", count: 2, in: .gmt)
        #expect(named.map { String($0.prefix(16)) } == ["2026-07-06T08:30", "2026-07-13T08:30"])
        // The 1st of the month or any Sunday: 1 November 2026 is a Sunday, then Sundays the 8th and 15th, then 1 December.
        let either = try series("0 12 1 * 0", from: "2026-10-31T00:00:00Z", count: 6, in: .gmt)
        #expect(either.map { String($0.prefix(10)) } == ["2026-11-01", "2026-11-08", "2026-11-15", "2026-11-22", "2026-11-29", "2026-12-01"])
        #expect(try CronRule("@weekly") == CronRule("@weekly"))
        #expect(try series("@monthly", from: "2026-01-15T00:00:00Z", count: 1, in: .gmt).first?.hasPrefix("2026-02-01T00:00") == true)
        // Leap days only: the next 29 February after 2026 is in 2028.
        #expect(try series("0 9 29 2 *", from: "2026-01-01T00:00:00Z", count: 1, in: .gmt).first?.hasPrefix("2028-02-29") == true)
    }

    @Test("a time skipped by the spring-forward moves to the next valid time, and a repeated one counts once")
    func daylightSavingEdges() throws {
        // 28 March 2027: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist that day.
        let spring = try series("30 2 * * *", from: "2027-03-27T01:30:00Z", count: 2, in: berlin)
        #expect(spring.map { String($0.prefix(16)) } == ["2027-03-28T01:30", "2027-03-29T00:30"])
        // 25 October 2026: 02:30 happens twice; the post goes out once.
        let autumn = try series("30 2 * * *", from: "2026-10-24T00:30:00Z", count: 2, in: berlin)
        #expect(autumn.map { String($0.prefix(16)) } == ["2026-10-25T00:30", "2026-10-26T01:30"])
    }

    @Test("bad expressions are refused with the field named")
    func refused() {
        let cases: [(String, String)] = [
            ("0 9 * *", "five fields"),
            ("61 9 * * *", "minute field: 61"),
            ("0 24 * * *", "hour field: 24"),
            ("0 9 0 * *", "day-of-month field: 0"),
            ("0 9 * 13 *", "month field: 13"),
            ("0 9 * * MONDAY", "day-of-week field: MONDAY"),
            ("*/0 9 * * *", "step 0"),
            ("0 9 5-1 * *", "runs backwards"),
            ("0 9 31 2 *", "never matches"),
        ]
        for (expression, message) in cases {
            #expect(throws: CronRule.ParseError.self, "\(expression)") { try CronRule(expression) }
            do {
                _ = try CronRule(expression)
            } catch {
                #expect("\(error)".contains(message), "\(expression): \(error)")
            }
        }
    }

    @Test("a recurrence stores its rule as JSON and reads it back")
    func coding() throws {
        let recurrence = Recurrence.rule(try CronRule("0 9 * * 1-5"))
        let data = try JSONEncoder().encode(recurrence)
        #expect(String(decoding: data, as: UTF8.self) == #"{"cron":"0 9 * * 1-5"}"#)
        #expect(try JSONDecoder().decode(Recurrence.self, from: data) == recurrence)
        let interval = try JSONDecoder().decode(Recurrence.self, from: Data(#"{"unit":"week","every":2}"#.utf8))
        #expect(interval == Recurrence(unit: .week, every: 2))
    }
}
