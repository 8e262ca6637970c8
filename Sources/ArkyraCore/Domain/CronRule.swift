import Foundation

/// A cron-like repeat rule with the five classic fields, `minute hour day-of-month month day-of-week`, read
/// as wall-clock time in the author's time zone: `0 9 * * 1-5` is 09:00 on weekdays, wherever the offset is.
/// Fields take `*`, numbers, ranges `a-b`, lists `a,b`, steps `*/n` and `a-b/n`; months and days take names
/// (`JAN`, `MON`); Sunday is 0 or 7; `@daily`, `@weekly`, `@monthly` and `@yearly` are short for the usual
/// rules. As in Vixie cron, when both day fields are restricted a day matching either one counts.
package struct CronRule: Sendable, Equatable {
    package let expression: String
    let minutes: [Int]
    let hours: [Int]
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let daysOfMonthRestricted: Bool
    let daysOfWeekRestricted: Bool

    /// Why an expression was refused, naming the field.
    package struct ParseError: Error, Equatable, CustomStringConvertible {
        package let description: String
    }

    static let macros = ["@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *",
                         "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *"]
    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    /// Parses `expression`; throws ``ParseError`` naming the bad field, or when the rule can never match
    /// (such as the 31st of February).
    package init(_ expression: String) throws {
        let trimmed = expression.trimmingCharacters(in: .whitespaces)
        let expanded = Self.macros[trimmed.lowercased()] ?? trimmed
        let fields = expanded.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(description: "must have five fields (minute hour day-of-month month day-of-week), such as 0 9 * * 1-5")
        }
        self.expression = trimmed
        minutes = try Self.values(fields[0], name: "minute", range: 0...59).sorted()
        hours = try Self.values(fields[1], name: "hour", range: 0...23).sorted()
        daysOfMonth = try Self.values(fields[2], name: "day-of-month", range: 1...31)
        months = try Self.values(fields[3], name: "month", range: 1...12, names: Self.monthNames, firstName: 1)
        daysOfWeek = Set(try Self.values(fields[4], name: "day-of-week", range: 0...7, names: Self.dayNames, firstName: 0).map { $0 % 7 })
        daysOfMonthRestricted = fields[2] != "*"
        daysOfWeekRestricted = fields[4] != "*"
        let possibleDays = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        if !daysOfWeekRestricted, !months.contains(where: { month in daysOfMonth.contains { $0 <= possibleDays[month - 1] } }) {
            throw ParseError(description: "never matches: no chosen month has the chosen day")
        }
    }

    /// The first time the rule matches strictly after both `previous` and `now`, as wall-clock time in
    /// `timeZone`. A time skipped by a spring-forward moves to the next valid time, as calendars do; a time
    /// repeated by a fall-back counts once. Nil only when nothing matches within eight years.
    package func next(after previous: Date, in timeZone: TimeZone, now: Date = Date()) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start = max(previous, now)
        var day = calendar.startOfDay(for: start)
        for _ in 0..<(366 * 8 + 2) {
            let date = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            if let month = date.month, months.contains(month), matchesDay(dayOfMonth: date.day ?? 0, weekday: (date.weekday ?? 1) - 1) {
                for hour in hours {
                    for minute in minutes {
                        var components = DateComponents(year: date.year, month: date.month, day: date.day, hour: hour, minute: minute)
                        components.second = 0
                        if let candidate = calendar.date(from: components), candidate > start { return candidate }
                    }
                }
            }
            guard let following = calendar.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = following
        }
        return nil
    }

    private func matchesDay(dayOfMonth: Int, weekday: Int) -> Bool {
        switch (daysOfMonthRestricted, daysOfWeekRestricted) {
        case (true, true): daysOfMonth.contains(dayOfMonth) || daysOfWeek.contains(weekday)
        case (true, false): daysOfMonth.contains(dayOfMonth)
        case (false, true): daysOfWeek.contains(weekday)
        case (false, false): true
        }
    }

    /// The values one field allows.
    static func values(_ field: String, name: String, range: ClosedRange<Int>, names: [String] = [], firstName: Int = 0) throws -> Set<Int> {
        func number(_ text: Substring) throws -> Int {
            if let index = names.firstIndex(of: text.uppercased()) { return index + firstName }
            guard let value = Int(text), range.contains(value) else {
                throw ParseError(description: "\(name) field: \(text) is not a number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        var result = Set<Int>()
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, let base = pieces.first, !base.isEmpty else {
                throw ParseError(description: "\(name) field: \(part) is not a value, range or step")
            }
            var step = 1
            if pieces.count == 2 {
                guard let value = Int(pieces[1]), value > 0 else { throw ParseError(description: "\(name) field: step \(pieces[1]) must be a positive number") }
                step = value
            }
            let bounds: ClosedRange<Int>
            if base == "*" {
                bounds = range
            } else if let dash = base.firstIndex(of: "-") {
                let low = try number(base[..<dash]), high = try number(base[base.index(after: dash)...])
                guard low <= high else { throw ParseError(description: "\(name) field: range \(base) runs backwards") }
                bounds = low...high
            } else {
                let value = try number(base)
                bounds = value...(pieces.count == 2 ? range.upperBound : value)
            }
            result.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return result
    }
}
