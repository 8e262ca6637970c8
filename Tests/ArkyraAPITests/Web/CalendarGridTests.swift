@testable import ArkyraAPI
import Foundation
import Testing

@Suite("Web: the calendar's days in the viewer's zone")
struct CalendarGridTests {
    private func calendar(_ zone: String, locale: String = "en_US") -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        calendar.locale = Locale(identifier: locale)
        return calendar
    }

    @Test("a week starts on the locale's first day: Sunday in the US, Monday in Germany, Saturday in Egypt")
    func weekStart() {
        let day = CalendarGrid.Day(year: 2026, month: 12, day: 9)
        for (locale, first) in [("en_US", "2026-12-06"), ("de_DE", "2026-12-07"), ("ar_EG", "2026-12-05")] {
            let calendar = calendar("UTC", locale: locale)
            let grid = CalendarGrid(view: .week, anchor: day, calendar: calendar)
            #expect(grid.days.count == 7)
            #expect(CalendarGrid.day(of: grid.start, calendar).text == first, "\(locale)")
            #expect(grid.end.timeIntervalSince(grid.start) == 7 * 86_400)
            #expect(grid.previous.text == "2026-12-02")
            #expect(grid.next.text == "2026-12-16")
        }
    }

    @Test("a week across the spring change in Berlin is 167 hours; its days stay at local midnight")
    func daylightSaving() {
        let calendar = calendar("Europe/Berlin", locale: "de_DE")
        let grid = CalendarGrid(view: .week, anchor: CalendarGrid.Day(year: 2026, month: 3, day: 29), calendar: calendar)
        #expect(grid.end.timeIntervalSince(grid.start) == 167 * 3600)
        #expect(grid.days.map { calendar.component(.hour, from: $0) }.allSatisfy { $0 == 0 })
        #expect(grid.days.map { CalendarGrid.day(of: $0, calendar).text }.last == "2026-03-29")
        let day = CalendarGrid(view: .day, anchor: CalendarGrid.Day(year: 2026, month: 10, day: 25), calendar: calendar)
        #expect(day.end.timeIntervalSince(day.start) == 25 * 3600)
    }

    @Test("a month shows whole weeks around it; a day past the month's end is its last day")
    func month() {
        let calendar = calendar("America/New_York")
        let grid = CalendarGrid(view: .month, anchor: CalendarGrid.Day(year: 2026, month: 2, day: 31), calendar: calendar)
        #expect(grid.anchor.text == "2026-02-28")
        #expect(grid.days.count % 7 == 0)
        #expect(CalendarGrid.day(of: grid.days[0], calendar).text == "2026-02-01")
        #expect(CalendarGrid.day(of: grid.days.last!, calendar).text == "2026-02-28")
        #expect(grid.next.text == "2026-03-28")
        #expect(grid.previous.text == "2026-01-28")
        let december = CalendarGrid(view: .month, anchor: CalendarGrid.Day(year: 2026, month: 12, day: 1), calendar: calendar)
        #expect(december.days.count == 35)
    }

    @Test("day text: only real dates parse")
    func dayText() {
        #expect(CalendarGrid.Day("2026-12-07")?.text == "2026-12-07")
        for bad in ["2026-13-01", "2026-12", "12/07/2026", "", "0-1-1", "2026-12-07T10:00"] {
            #expect(CalendarGrid.Day(bad) == nil, "\(bad)")
        }
    }
}
