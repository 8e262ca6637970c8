import Foundation

/// The days a calendar view shows, in the viewer's time zone: a pure function of the view, the day it is
/// anchored on and the zone, so daylight-saving changes (23- and 25-hour days) fall where the zone puts
/// them. Weeks start on the locale's first weekday.
struct CalendarGrid: Sendable, Equatable {
    enum View: String, CaseIterable, Sendable {
        case day, week, month, list
    }

    /// A calendar day, `2026-12-07`.
    struct Day: Sendable, Equatable {
        var year: Int, month: Int, day: Int

        init(year: Int, month: Int, day: Int) {
            self.year = year
            self.month = month
            self.day = day
        }

        init?(_ text: String) {
            let parts = text.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 3, (1...9999).contains(parts[0]), (1...12).contains(parts[1]), (1...31).contains(parts[2]) else { return nil }
            self.init(year: parts[0], month: parts[1], day: parts[2])
        }

        var text: String { String(format: "%04d-%02d-%02d", year, month, day) }
    }

    var view: View
    var anchor: Day
    /// The first instant shown and the first one after (what the posts are queried with).
    var start: Date
    var end: Date
    /// Every day shown, in order (a month view includes the days of its first and last weeks).
    var days: [Date]
    var previous: Day
    var next: Day

    static let listDays = 30

    init(view: View, anchor: Day, calendar: Calendar) {
        let anchorDate = calendar.date(from: DateComponents(year: anchor.year, month: anchor.month, day: min(anchor.day, 28))).map { first in
            // A day past the month's end (31 February) becomes its last day.
            let range = calendar.range(of: .day, in: .month, for: first) ?? 1..<29
            return calendar.date(from: DateComponents(year: anchor.year, month: anchor.month, day: min(anchor.day, range.upperBound - 1))) ?? first
        } ?? Date(timeIntervalSince1970: 0)
        let day = calendar.startOfDay(for: anchorDate)
        func shift(_ date: Date, _ component: Calendar.Component, _ amount: Int) -> Date {
            calendar.date(byAdding: component, value: amount, to: date) ?? date
        }
        func weekStart(_ date: Date) -> Date {
            let weekday = calendar.component(.weekday, from: date)
            return calendar.startOfDay(for: shift(date, .day, -((weekday - calendar.firstWeekday + 7) % 7)))
        }
        let first: Date, count: Int, step: (Calendar.Component, Int)
        switch view {
        case .day:
            (first, count, step) = (day, 1, (.day, 1))
        case .week:
            (first, count, step) = (weekStart(day), 7, (.day, 7))
        case .list:
            (first, count, step) = (day, Self.listDays, (.day, Self.listDays))
        case .month:
            let monthStart = calendar.date(from: calendar.dateComponents([.year, .month], from: day)) ?? day
            let monthEnd = shift(monthStart, .month, 1)
            let gridStart = weekStart(monthStart)
            let lastDay = shift(monthEnd, .day, -1)
            let gridEnd = shift(weekStart(lastDay), .day, 7)
            let days = calendar.dateComponents([.day], from: gridStart, to: gridEnd).day ?? 35
            (first, count, step) = (gridStart, days, (.month, 1))
        }
        self.view = view
        self.anchor = Self.day(of: day, calendar)
        days = (0..<count).map { calendar.startOfDay(for: shift(first, .day, $0)) }
        start = first
        end = calendar.startOfDay(for: shift(first, .day, count))
        previous = Self.day(of: shift(day, step.0, -step.1), calendar)
        next = Self.day(of: shift(day, step.0, step.1), calendar)
    }

    static func day(of date: Date, _ calendar: Calendar) -> Day {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return Day(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
    }
}
