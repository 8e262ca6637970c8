import Foundation

/// Reads and writes ISO 8601 timestamps, with or without fractional seconds.
public enum ISO8601Timestamp {
    /// Parses `2026-11-30T09:00:00Z`, `2026-11-30T09:00:00.123+01:00` and the like; nil for anything else.
    public static func parse(_ text: String) -> Date? {
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

    /// Formats with millisecond precision in UTC: `2026-11-30T09:00:00.000Z`.
    public static func format(_ date: Date) -> String {
        // The format style truncates to the millisecond, and 0.123 s is stored as 0.12299…: format the middle
        // of the rounded millisecond so the text shows the rounded value.
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        return Date(timeIntervalSince1970: (milliseconds + 0.5) / 1000).formatted(style)
    }

    static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}
