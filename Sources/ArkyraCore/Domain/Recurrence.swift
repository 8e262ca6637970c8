import Foundation

/// How a post repeats: every `every` days or weeks, at the same wall-clock time in the author's time zone,
/// so a 09:00 post stays at 09:00 across daylight-saving changes. Never computed in the server's zone.
public struct Recurrence: Sendable, Codable, Equatable {
    public enum Unit: String, Sendable, Codable, CaseIterable {
        case day, week
    }

    public var unit: Unit
    public var every: Int

    public static let maximumEvery = 365

    public init(unit: Unit, every: Int) {
        self.unit = unit
        self.every = every
    }

    /// The first occurrence after `now` of the series that `previous` belongs to, in `timeZone`. Steps from
    /// the scheduled time (not from when it was published), so the series never drifts; skips occurrences
    /// that are already past (a worker that was down for days does not publish a backlog).
    public func next(after previous: Date, in timeZone: TimeZone, now: Date = Date()) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let wallClock = calendar.dateComponents([.hour, .minute, .second], from: previous)
        let days = unit == .day ? every : every * 7
        var day = calendar.startOfDay(for: previous)
        var candidate = previous
        repeat {
            day = calendar.date(byAdding: .day, value: days, to: day) ?? day.addingTimeInterval(TimeInterval(days * 86_400))
            var components = calendar.dateComponents([.year, .month, .day], from: day)
            components.hour = wallClock.hour
            components.minute = wallClock.minute
            components.second = wallClock.second
            // A wall-clock time that does not exist that day (skipped by a spring-forward) moves to the next
            // valid time, as calendars do.
            candidate = calendar.date(from: components) ?? day
        } while candidate <= now
        return candidate
    }
}
