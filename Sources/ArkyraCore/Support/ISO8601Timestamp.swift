import Foundation

/// Reads and writes ISO 8601 timestamps, with or without fractional seconds.
package enum ISO8601Timestamp {
    /// Parses `2026-11-30T09:00:00Z`, `2026-11-30T09:00:00.123+01:00` and the like; nil for anything else.
    package static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)) {
            return date
        }
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) { return date }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        return plain.date(from: text)
    }

    /// Formats with millisecond precision in UTC, rounding to the nearest millisecond: `2026-11-30T09:00:00.000Z`.
    /// Written by hand (calendar pages format thousands of times a second): the proleptic Gregorian date of a
    /// day number, as in Howard Hinnant's `civil_from_days`. Years before 1583 (where Foundation's calendar is
    /// Julian) and after 9999 go through Foundation, so that what is written reads back the same.
    package static func format(_ date: Date) -> String {
        let total = date.millisecondsSince1970
        let (days, millisecondOfDay) = total.quotientAndRemainder(dividingBy: 86_400_000)
        let (day, time) = millisecondOfDay < 0 ? (days - 1, millisecondOfDay + 86_400_000) : (days, millisecondOfDay)
        let shifted = day + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        guard (1583...9999).contains(year) else { return Date(timeIntervalSince1970: (Double(total) + 0.5) / 1000).formatted(style) }

        var text = [UInt8]()
        text.reserveCapacity(24)
        func digits(_ value: Int64, _ count: Int) {
            var divisor: Int64 = 1
            for _ in 1..<count { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4); text.append(UInt8(ascii: "-"))
        digits(month, 2); text.append(UInt8(ascii: "-"))
        digits(dayOfMonth, 2); text.append(UInt8(ascii: "T"))
        digits(time / 3_600_000, 2); text.append(UInt8(ascii: ":"))
        digits(time / 60_000 % 60, 2); text.append(UInt8(ascii: ":"))
        digits(time / 1000 % 60, 2); text.append(UInt8(ascii: "."))
        digits(time % 1000, 3); text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }

    static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}
