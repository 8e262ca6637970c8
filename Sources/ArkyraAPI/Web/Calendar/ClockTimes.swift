import Foundation

/// Times of day as people write them (`09:30, 17:00`) and as minutes after midnight, the way channels keep
/// their posting times: the channels page reads and shows them, the composer reads a free slot's `time=`.
enum ClockTimes {
    /// The times in `text` (separated by commas, spaces or semicolons), as minutes after midnight.
    /// - Throws: 422 on `posting_times` for anything that is not a list of HH:MM.
    static func minutes(_ text: String) throws -> [Int] {
        let parts = text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }).map(String.init)
        var minutes: [Int] = []
        for part in parts {
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count == 2, pieces[1].count == 2, let hour = Int(pieces[0]), let minute = Int(pieces[1]),
                  (0...23).contains(hour), (0...59).contains(minute) else {
                throw APIError.validation(["posting_times": "must be times as HH:MM separated by commas, such as 09:30, 17:00 (\(part.prefix(20)) is not)"])
            }
            minutes.append(hour * 60 + minute)
        }
        if minutes.isEmpty { throw APIError.validation(["posting_times": "must name at least one time, such as 09:30"]) }
        return minutes
    }

    /// Minutes after midnight as HH:MM.
    static func text(_ minutes: Int) -> String {
        String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }
}
