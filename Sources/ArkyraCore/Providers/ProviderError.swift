import Foundation

/// How a platform call failed; decides whether the caller retries, waits, refreshes, asks a person or gives up.
package enum ProviderError: Error, Equatable, CustomStringConvertible {
    /// The token is invalid or revoked (401/403): a person must reconnect the account.
    case invalidCredentials(message: String)
    /// The access token expired; refreshing the credentials may help.
    case tokenExpired(message: String)
    /// Too many requests; retry at `retryAt` when the platform said when.
    case rateLimited(retryAt: Date?, message: String)
    /// The platform refused the content or request (4xx); retrying the same request cannot help.
    case rejected(status: Int, message: String)
    /// The platform could not be reached or failed before it could have accepted anything; safe to retry.
    case unavailable(message: String)
    /// The request may have been accepted (timeout or reset after sending, 5xx on a non-idempotent call).
    case outcomeUnknown(message: String)

    package var description: String {
        switch self {
        case .invalidCredentials(let message): return "invalid credentials: \(message)"
        case .tokenExpired(let message): return "token expired: \(message)"
        case .rateLimited(let retryAt, let message): return "rate limited until \(retryAt.map { "\($0)" } ?? "unknown"): \(message)"
        case .rejected(let status, let message): return "rejected (\(status)): \(message)"
        case .unavailable(let message): return "unavailable: \(message)"
        case .outcomeUnknown(let message): return "outcome unknown: \(message)"
        }
    }

    /// The usual reading of a refused HTTP call: 401/403 refused credentials, 429 a rate limit (lifting at
    /// `retryAt`), other 4xx a refusal, 502–504 unreachable when nothing changed; any other failure of a call
    /// that changes something may have taken effect.
    static func classify(status: Int, message: String, mutates: Bool, retryAt: @autoclosure () -> Date?) -> ProviderError {
        switch status {
        case 401, 403: .invalidCredentials(message: message)
        case 429: .rateLimited(retryAt: retryAt(), message: message)
        case 400..<500: .rejected(status: status, message: message)
        case 502...504 where !mutates: .unavailable(message: message)
        default: mutates ? .outcomeUnknown(message: message) : .unavailable(message: message)
        }
    }

    /// When a rate limit lifts, from the headers platforms use: `Retry-After` (seconds or an HTTP date), else
    /// a reset header read by `reset`.
    static func retryTime(retryAfter: String?, now: Date = Date()) -> Date? {
        guard let retryAfter else { return nil }
        if let seconds = Int(retryAfter) { return now.addingTimeInterval(TimeInterval(seconds)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: retryAfter)
    }
}
