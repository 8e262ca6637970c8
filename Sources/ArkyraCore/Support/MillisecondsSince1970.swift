import Foundation

extension Date {
    /// Milliseconds since 1970, rounded to the nearest (queue scores and timestamps in JSON).
    var millisecondsSince1970: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded())
    }
}
