import Foundation

/// A request that reached an emulated platform, as tests read it back from `GET /_sandbox/requests`.
package struct RecordedRequest: Sendable, Codable, Equatable {
    package var platform: String
    package var method: String
    package var path: String
    package var idempotencyKey: String?
    package var body: String
    package var status: Int
    package var receivedAt: Date

    enum CodingKeys: String, CodingKey {
        case platform, method, path, body, status
        case idempotencyKey = "idempotency_key"
        case receivedAt = "received_at"
    }
}

/// A failure the next matching requests get instead of the normal answer.
package struct Fault: Sendable, Codable, Equatable {
    package enum Kind: String, Sendable, Codable {
        /// 429 with the platform's rate-limit headers, resetting in `resetIn` seconds.
        case rateLimit = "rate_limit"
        /// 500 without acting.
        case serverError = "server_error"
        /// Act (create the post), then answer only after `delay` seconds: the client times out not knowing.
        case timeoutAfterAccept = "timeout_after_accept"
        /// 401 as for a revoked token.
        case invalidToken = "invalid_token"
        /// The platform's answer for an expired access token (Bluesky: 400 ExpiredToken; Mastodon's tokens do
        /// not expire, so there it is a 401).
        case expiredToken = "expired_token"
        /// Answer normally, but only after `delay` seconds (a slow platform).
        case slow
        /// Act, send the answer's head at once, then its body one byte a second for `delay` seconds (a
        /// trickling server that would hold a client without a deadline on the whole exchange).
        case trickle
    }

    package var platform: String
    package var kind: Kind
    /// How many requests get the fault (then it is used up).
    package var count: Int
    package var resetIn: Int?
    package var delay: Double?
    /// Only requests whose path ends with this get the fault (`/threads_publish`); nil: every request.
    package var path: String?
    /// How many matching requests pass untouched before the fault starts (the second chunk of an upload).
    package var after: Int?

    enum CodingKeys: String, CodingKey {
        case platform, kind, count, delay, path, after
        case resetIn = "reset_in"
    }
}
