import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Mastodon (and API-compatible servers) through its REST API: verify_credentials to connect,
/// POST /api/v1/statuses with an Idempotency-Key to publish, files uploaded first (POST /api/v2/media) —
/// a video is processed by the server for a while (202), so such a post waits in later queue jobs
/// (GET /api/v1/media/:id until it is ready) before its status is created — and DELETE /api/v1/statuses/:id
/// to remove a post.
package struct MastodonProvider: Provider {
    package let identifier = "mastodon"
    package let displayName = "Mastodon"
    package let connectMethod = ConnectMethod.accessToken
    package let requiresInstanceURL = true
    /// Mastodon keeps Idempotency-Key for an hour.
    package let supportsIdempotencyKeys = true
    /// Mastodon's default limit; instances may raise it.
    package let maximumCharacters = 500
    /// 300 requests per 5 minutes per account.
    package let rateLimitWindow: TimeInterval = 300
    /// Mastodon's defaults: four images up to 16 MB, or one video up to 99 MB.
    package let mediaRules = MediaRules(maximumItems: 4, kinds: [.image, .video], maximumImageBytes: 16 * 1024 * 1024, maximumVideoBytes: 99 * 1024 * 1024)
    /// Files the server is still processing: `media:ID,ID,…`, kept until they are ready.
    static let processingMedia = "media:"
    let http: PlatformHTTP

    package init(http: PlatformHTTP) {
        self.http = http
    }

    package func connect(_ connectRequest: ConnectRequest) async throws -> ConnectedAccount {
        let credentials = ProviderCredentials(accessToken: connectRequest.accessToken ?? "", instanceURL: connectRequest.instanceURL)
        var request = HTTPClientRequest(url: try endpoint(credentials, "/api/v1/accounts/verify_credentials"))
        request.headers.add(name: "Authorization", value: "Bearer \(credentials.accessToken)")
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await http.send(request, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let account = response.decode(MastodonAccount.self) else {
            throw ProviderError.rejected(status: response.status, message: "the server did not answer like a Mastodon server")
        }
        return ConnectedAccount(
            account: ProviderAccount(
                id: account.id, name: account.displayName.isEmpty ? account.username : account.displayName,
                username: account.acct, avatarURL: account.avatar
            ),
            credentials: credentials
        )
    }

    package func publish(_ post: PublishRequest) async throws -> PublishedPost {
        switch try await publishStep(post) {
        case .published(let published): return published
        case .processing: throw ProviderError.unavailable(message: "Mastodon is still processing the post's files")
        }
    }

    /// Uploads the files (or, on a later step, checks the ones the server was processing); once every one is
    /// ready, creates the status.
    package func publishStep(_ post: PublishRequest) async throws -> PublishStep {
        var mediaIDs: [String] = []
        if let container = post.container?.id, container.hasPrefix(Self.processingMedia) {
            mediaIDs = container.dropFirst(Self.processingMedia.count).split(separator: ",").map(String.init)
            for id in mediaIDs where !(try await isReady(id, post)) {
                return .processing(container: container, checkAfter: 5)
            }
        } else {
            var processing = false
            for file in post.media {
                let uploaded = try await upload(file, for: post)
                mediaIDs.append(uploaded.id)
                processing = processing || !uploaded.ready
            }
            if processing { return .processing(container: Self.processingMedia + mediaIDs.joined(separator: ","), checkAfter: 5) }
        }
        return .published(try await createStatus(post, mediaIDs: mediaIDs))
    }

    private func createStatus(_ post: PublishRequest, mediaIDs: [String]) async throws -> PublishedPost {
        var request = HTTPClientRequest(url: try endpoint(post.credentials, "/api/v1/statuses"))
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(post.credentials.accessToken)")
        request.headers.add(name: "Idempotency-Key", value: post.idempotencyKey)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        let body = try JSONEncoder().encode(MastodonNewStatus(status: post.content, inReplyToID: post.replyTo, mediaIDs: mediaIDs.isEmpty ? nil : mediaIDs))
        request.body = .bytes(ByteBuffer(data: body))
        let response = try await http.send(request, mutates: true)
        guard response.status == 200 else { throw Self.error(for: response, mutates: true) }
        guard let status = response.decode(MastodonStatus.self) else {
            throw ProviderError.outcomeUnknown(message: "status created but the answer could not be read: \(response.summary)")
        }
        return PublishedPost(platformID: status.id, url: status.url ?? status.uri)
    }

    /// `GET /api/v1/media/:id`: 200 once processed, 206 while the server is still at it.
    private func isReady(_ id: String, _ post: PublishRequest) async throws -> Bool {
        var request = HTTPClientRequest(url: try endpoint(post.credentials, "/api/v1/media/\(Self.pathSegment(id))"))
        request.headers.add(name: "Authorization", value: "Bearer \(post.credentials.accessToken)")
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await http.send(request, mutates: false)
        switch response.status {
        case 200: return true
        case 206: return false
        case 404: throw ProviderError.rejected(status: 404, message: "Mastodon no longer has the uploaded file \(id) (unattached uploads are removed after a day)")
        default: throw Self.error(for: response, mutates: false)
        }
    }

    package let deletesPosts = true

    /// `DELETE /api/v1/statuses/:id`; a status that is not there (404) was deleted already.
    package func delete(_ post: DeleteRequest) async throws {
        var request = HTTPClientRequest(url: try endpoint(post.credentials, "/api/v1/statuses/\(Self.pathSegment(post.platformID))"))
        request.method = .DELETE
        request.headers.add(name: "Authorization", value: "Bearer \(post.credentials.accessToken)")
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await http.send(request, mutates: false)
        guard response.status == 200 || response.status == 404 else { throw Self.error(for: response, mutates: false) }
    }

    package let readsMetrics = true

    /// `GET /api/v1/statuses/:id`: its favourites, boosts and replies.
    package func metrics(_ post: MetricsRequest) async throws -> PostMetrics {
        var request = HTTPClientRequest(url: try endpoint(post.credentials, "/api/v1/statuses/\(Self.pathSegment(post.platformID))"))
        request.headers.add(name: "Authorization", value: "Bearer \(post.credentials.accessToken)")
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await http.send(request, mutates: false)
        guard response.status == 200 else {
            if response.status == 404 { throw ProviderError.rejected(status: 404, message: "the post is no longer on Mastodon") }
            throw Self.error(for: response, mutates: false)
        }
        guard let status = response.decode(MastodonCounts.self) else {
            throw ProviderError.unavailable(message: "the server did not answer like Mastodon's API: \(response.summary)")
        }
        return PostMetrics(counts: ["likes": status.favouritesCount, "reposts": status.reblogsCount, "replies": status.repliesCount])
    }

    static func pathSegment(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id
    }

    /// Uploads one file (`POST /api/v2/media`, multipart) and returns its attachment id, and whether it is
    /// ready (200) or still being processed (202). An upload that is lost or repeated leaves at most an
    /// unattached file, which Mastodon removes by itself.
    func upload(_ file: PublishMedia, for post: PublishRequest) async throws -> (id: String, ready: Bool) {
        let bytes = try await post.contents(of: file, maximumBytes: file.kind == .video ? mediaRules.maximumVideoBytes : mediaRules.maximumImageBytes)
        let boundary = "arkyra-\(UUID().uuidString)"
        var body = ByteBuffer()
        if let alt = file.alt {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n\(alt)\r\n")
        }
        let name = file.fileName.replacingOccurrences(of: "\"", with: "")
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: \(file.contentType)\r\n\r\n")
        var contents = bytes
        body.writeBuffer(&contents)
        body.writeString("\r\n--\(boundary)--\r\n")
        var request = HTTPClientRequest(url: try endpoint(post.credentials, "/api/v2/media"))
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(post.credentials.accessToken)")
        request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(body)
        // Not the post itself: a failed upload is retried like a read.
        let response = try await http.send(request, mutates: false)
        guard response.status == 200 || response.status == 202 else { throw Self.error(for: response, mutates: false) }
        guard let attachment = response.decode(MastodonAttachment.self) else {
            throw ProviderError.unavailable(message: "the media upload's answer could not be read: \(response.summary)")
        }
        return (attachment.id, response.status == 200)
    }

    /// Mastodon counts characters, every link as 23, and a mention `@user@domain` as `@user`.
    package func characterCount(of text: String) -> Int {
        var counted = text
        counted.replace(/https?:\/\/[^\s]+/) { _ in String(repeating: "x", count: 23) }
        counted.replace(/@([A-Za-z0-9_]+)@[A-Za-z0-9.\-]+[A-Za-z0-9]/) { match in "@" + match.output.1 }
        return counted.unicodeScalars.count
    }

    private func endpoint(_ credentials: ProviderCredentials, _ path: String) throws -> String {
        guard let instance = credentials.instanceURL else {
            throw ProviderError.rejected(status: 0, message: "a Mastodon channel needs its instance URL")
        }
        var base = instance.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }

    /// Maps a non-200 answer to a ``ProviderError`` as Mastodon documents its errors (`{"error": "..."}`).
    static func error(for response: PlatformHTTP.Response, mutates: Bool) -> ProviderError {
        let message = response.decode(MastodonError.self)?.error ?? response.summary
        return ProviderError.classify(status: response.status, message: message, mutates: mutates, retryAt: retryTime(response.headers))
    }

    /// When a rate limit lifts: `Retry-After` (seconds or HTTP date) or Mastodon's `X-RateLimit-Reset` (ISO 8601).
    static func retryTime(_ headers: HTTPHeaders, now: Date = Date()) -> Date? {
        ProviderError.retryTime(retryAfter: headers.first(name: "Retry-After"), now: now)
            ?? headers.first(name: "X-RateLimit-Reset").flatMap(ISO8601Timestamp.parse)
    }
}

/// The fields of Mastodon's Account entity ARKYRA reads.
struct MastodonAccount: Decodable {
    var id: String
    var username: String
    var acct: String
    var displayName: String
    var avatar: String?

    enum CodingKeys: String, CodingKey {
        case id, username, acct, avatar
        case displayName = "display_name"
    }
}

/// The fields of Mastodon's Status entity ARKYRA reads.
struct MastodonStatus: Decodable {
    var id: String
    var uri: String?
    var url: String?
}

/// The body of `POST /api/v1/statuses`.
struct MastodonNewStatus: Encodable {
    var status: String
    var inReplyToID: String?
    var mediaIDs: [String]?

    enum CodingKeys: String, CodingKey {
        case status
        case inReplyToID = "in_reply_to_id"
        case mediaIDs = "media_ids"
    }
}

/// The fields of Mastodon's MediaAttachment entity ARKYRA reads.
struct MastodonAttachment: Decodable {
    var id: String
    var url: String?
}

/// Mastodon's Error entity.
struct MastodonError: Decodable {
    var error: String
}

struct MastodonCounts: Decodable {
    var favouritesCount: Int
    var reblogsCount: Int
    var repliesCount: Int

    enum CodingKeys: String, CodingKey { case favouritesCount = "favourites_count", reblogsCount = "reblogs_count", repliesCount = "replies_count" }
}
