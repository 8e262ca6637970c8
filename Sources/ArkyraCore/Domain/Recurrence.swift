import Foundation

/// How a post repeats, always as wall-clock time in the author's time zone, so a 09:00 post stays at 09:00
/// across daylight-saving changes; never computed in the server's zone. Either every N days or weeks from the
/// first post (`{"unit": "day", "every": 2}`), or a cron-like rule (`{"cron": "0 9 * * 1-5"}`).
package enum Recurrence: Sendable, Equatable {
    case interval(unit: Unit, every: Int)
    case rule(CronRule)

    package enum Unit: String, Sendable, Codable, CaseIterable {
        case day, week
    }

    package static let maximumEvery = 365

    /// Every `every` days or weeks.
    package init(unit: Unit, every: Int) {
        self = .interval(unit: unit, every: every)
    }

    /// The first occurrence after `now` of the series that `previous` belongs to, in `timeZone`. Steps from
    /// the scheduled time (not from when it was published), so the series never drifts; skips occurrences
    /// that are already past (a worker that was down for days does not publish a backlog). Nil when a rule
    /// has no further occurrence.
    package func next(after previous: Date, in timeZone: TimeZone, now: Date = Date()) -> Date? {
        switch self {
        case .rule(let rule):
            return rule.next(after: previous, in: timeZone, now: now)
        case .interval(let unit, let every):
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
                // A wall-clock time that does not exist that day (skipped by a spring-forward) moves to the
                // next valid time, as calendars do.
                candidate = calendar.date(from: components) ?? day
            } while candidate <= now
            return candidate
        }
    }
}

extension Recurrence: Codable {
    enum CodingKeys: String, CodingKey { case unit, every, cron }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let expression = try container.decodeIfPresent(String.self, forKey: .cron) {
            do {
                self = .rule(try CronRule(expression))
            } catch let error as CronRule.ParseError {
                throw DecodingError.dataCorruptedError(forKey: .cron, in: container, debugDescription: error.description)
            }
        } else {
            self = .interval(unit: try container.decode(Unit.self, forKey: .unit), every: try container.decode(Int.self, forKey: .every))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .interval(let unit, let every):
            try container.encode(unit, forKey: .unit)
            try container.encode(every, forKey: .every)
        case .rule(let rule):
            try container.encode(rule.expression, forKey: .cron)
        }
    }
}
