import Crypto
import Foundation
import NIOHTTP1

/// How Bluesky answers: XRPC errors, rate-limit headers, session tokens and record URIs.
extension BlueskyProvider {
    /// Maps a non-200 XRPC answer (`{"error": "Name", "message": "..."}`) to a ``ProviderError``: 400
    /// `ExpiredToken` is an expired access token, 401 a token that is not accepted at all.
    static func error(for response: PlatformHTTP.Response, mutates: Bool) -> ProviderError {
        let body = response.decode(BlueskyError.self)
        let message = body.map { "\($0.error): \($0.message ?? "")" } ?? response.summary
        if response.status == 400, body?.error == "ExpiredToken" { return .tokenExpired(message: message) }
        return ProviderError.classify(status: response.status, message: message, mutates: mutates, retryAt: retryTime(response.headers))
    }

    /// When a rate limit lifts: `Retry-After`, else `ratelimit-reset` (Unix seconds).
    static func retryTime(_ headers: HTTPHeaders, now: Date = Date()) -> Date? {
        ProviderError.retryTime(retryAfter: headers.first(name: "Retry-After"), now: now)
            ?? headers.first(name: "ratelimit-reset").flatMap(TimeInterval.init).map { Date(timeIntervalSince1970: $0) }
    }

    /// The claims of a session token (a JWT; read, not verified: the server verifies it).
    static func claims(of token: String) -> [String: Any]? {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// The account's DID, which session tokens carry as their subject.
    static func subject(of token: String) throws -> String {
        guard let subject = claims(of: token)?["sub"] as? String, subject.hasPrefix("did:") else {
            throw ProviderError.invalidCredentials(message: "the stored session token names no account; connect the account again")
        }
        return subject
    }

    /// When a session token expires (its `exp` claim).
    static func expiry(of token: String) -> Date? {
        (claims(of: token)?["exp"] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue) }
    }

    /// The record key of a post's record, the same on every attempt at the post: a TID (the key form Bluesky's
    /// app expects for posts) whose time is the post's time plus a sub-second offset and whose clock id is 10
    /// bits, both taken from the post's idempotency key. Creating the post a second time then fails instead of
    /// publishing it twice, and an attempt whose outcome is unknown finds the record by its key. Two posts of
    /// one account due in the same second share a key with a chance of about one in a billion.
    static func recordKey(for post: PublishRequest) -> String {
        let digest = Array(SHA256.hash(data: Data(post.idempotencyKey.utf8)))
        let offset = (UInt64(digest[0]) << 16 | UInt64(digest[1]) << 8 | UInt64(digest[2])) % 1_000_000
        let clock = (UInt64(digest[3]) << 8 | UInt64(digest[4])) & 0x3FF
        let seconds = max(0, post.createdAt.timeIntervalSince1970.rounded(.down))
        let micros = (UInt64(seconds) * 1_000_000 + offset) & ((1 << 53) - 1)
        let value = micros << 10 | clock
        let alphabet = Array("234567abcdefghijklmnopqrstuvwxyz")
        return String(stride(from: 60, through: 0, by: -5).map { alphabet[Int((value >> UInt64($0)) & 31)] })
    }

    /// The parts of `at://repo/collection/rkey`.
    static func parts(of uri: String) -> (repo: String, collection: String, rkey: String)? {
        guard uri.hasPrefix("at://") else { return nil }
        let parts = uri.dropFirst(5).split(separator: "/").map(String.init)
        guard parts.count == 3 else { return nil }
        return (parts[0], parts[1], parts[2])
    }

    /// The post's page on bsky.app.
    static func webURL(of uri: String) -> String? {
        parts(of: uri).map { "https://bsky.app/profile/\($0.repo)/post/\($0.rkey)" }
    }
}

/// `com.atproto.server.createSession` / `refreshSession` output, the fields ARKYRA reads.
struct BlueskySession: Decodable {
    var did: String
    var handle: String
    var accessJwt: String
    var refreshJwt: String
}

/// A record's address: `{uri, cid}` (createRecord's output, strongRef).
struct BlueskyRecordReference: Decodable {
    var uri: String
    var cid: String
}

/// A record as getRecord and listRecords return it.
struct BlueskyRecord: Decodable {
    struct Post: Decodable {
        struct Reply: Decodable {
            var root: BlueskyRecordReference?
        }

        var text: String?
        var createdAt: String?
        var reply: Reply?
    }

    var uri: String
    var cid: String?
    var value: Post
}

/// An XRPC error body.
struct BlueskyError: Decodable {
    var error: String
    var message: String?
}

/// `com.atproto.identity.resolveHandle` output.
struct BlueskyResolvedHandle: Decodable {
    var did: String
}
