import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Bluesky (any AT Protocol PDS) through XRPC: an app password opens a session (createSession) whose access
/// token expires after about two hours and is renewed with the refresh token (refreshSession); posts are
/// `app.bsky.feed.post` records (createRecord) under a record key derived from the post, so that a post
/// is created at most once; after an unknown outcome the record is read back by that key (getRecord); deleteRecord removes it. Links,
/// mentions (resolved to DIDs) and hashtags are marked with facets (``BlueskyRichText``). A video goes to
/// Bluesky's video service first (with a service token from the PDS), which processes it and puts it on the
/// PDS; the job is the post's container, checked by later queue jobs, and the post embeds the finished blob.
package struct BlueskyProvider: Provider {
    package let identifier = "bluesky"
    package let displayName = "Bluesky"
    package let connectMethod = ConnectMethod.appPassword
    package let supportsIdempotencyKeys = false
    package let findsPublishedPosts = true
    package let requiresInstanceURL = false
    /// Bluesky's own PDS entryway; self-hosted servers name theirs.
    package let defaultInstanceURL: URL? = URL(string: "https://bsky.social")
    /// Bluesky counts graphemes: at most 300.
    package let maximumCharacters = 300
    /// Record writes are limited per hour (5,000 points).
    package let rateLimitWindow: TimeInterval = 3600
    static let postCollection = "app.bsky.feed.post"
    /// `app.bsky.embed.images`: four images of at most 1,000,000 bytes each; or `app.bsky.embed.video`: one
    /// MP4 of at most 100 MB and 3 minutes.
    package let mediaRules = MediaRules(maximumItems: 4, kinds: [.image, .video], maximumImageBytes: 1_000_000, maximumVideoBytes: 100 * 1024 * 1024,
                                        maximumVideoDurationMs: 180_000)
    let http: PlatformHTTP
    /// Where videos are uploaded (video.bsky.app serves every PDS).
    let videoService: URL
    package static let videoService = URL(string: "https://video.bsky.app")!
    static let videoJob = "video-job:"

    package init(http: PlatformHTTP, videoService: URL = BlueskyProvider.videoService) {
        self.http = http
        self.videoService = videoService
    }

    package func characterCount(of text: String) -> Int { text.count }

    package func connect(_ connectRequest: ConnectRequest) async throws -> ConnectedAccount {
        let instance = connectRequest.instanceURL ?? defaultInstanceURL!
        let body = try JSONEncoder().encode(["identifier": connectRequest.identifier ?? "", "password": connectRequest.password ?? ""])
        let response = try await send(instance, "com.atproto.server.createSession", method: .POST, token: nil, body: body, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        return try session(from: response, instance: instance)
    }

    package func refresh(_ credentials: ProviderCredentials) async throws -> ProviderCredentials {
        guard let refreshToken = credentials.refreshToken else {
            throw ProviderError.invalidCredentials(message: "no refresh token is stored; connect the account again")
        }
        let instance = credentials.instanceURL ?? defaultInstanceURL!
        let response = try await send(instance, "com.atproto.server.refreshSession", method: .POST, token: refreshToken, body: nil, mutates: false)
        guard response.status == 200 else {
            // A refused refresh token (expired or revoked) means the session is over: a person must reconnect.
            if case .tokenExpired(let message) = Self.error(for: response, mutates: false) { throw ProviderError.invalidCredentials(message: message) }
            throw Self.error(for: response, mutates: false)
        }
        return try session(from: response, instance: instance).credentials
    }

    package func publish(_ post: PublishRequest) async throws -> PublishedPost {
        try await publish(post, embed: nil)
    }

    /// A post with a video: the file goes to the video service (a new job, or the one that has these bytes
    /// already), the job's status is checked by later queue jobs, and the post embeds the blob it made.
    package func publishStep(_ post: PublishRequest) async throws -> PublishStep {
        guard let video = post.media.first(where: { $0.kind == .video }) else { return .published(try await publish(post, embed: nil)) }
        guard let container = post.container?.id, container.hasPrefix(Self.videoJob) else {
            return .processing(container: Self.videoJob + (try await uploadVideo(video, for: post)), checkAfter: 3)
        }
        let status = try await jobStatus(String(container.dropFirst(Self.videoJob.count)))
        switch status.state {
        case "JOB_STATE_COMPLETED":
            guard let blob = status.blobObject else { throw ProviderError.unavailable(message: "Bluesky's video service finished without a blob") }
            // The record key is the post's: a record made before an answer was lost is found, not made again.
            if let found = try await findPublished(post) { return .published(found) }
            var embed: [String: Any] = ["$type": "app.bsky.embed.video", "video": blob]
            if let alt = video.alt, !alt.isEmpty { embed["alt"] = alt }
            if let width = video.width, let height = video.height, width > 0, height > 0 { embed["aspectRatio"] = ["width": width, "height": height] }
            return .published(try await publish(post, embed: embed))
        case "JOB_STATE_FAILED":
            throw ProviderError.rejected(status: 0, message: "Bluesky could not process the video: \(status.message ?? status.error ?? "no reason given")")
        default:
            return .processing(container: container, checkAfter: 3)
        }
    }

    private func publish(_ post: PublishRequest, embed: [String: Any]?) async throws -> PublishedPost {
        let did = try Self.subject(of: post.credentials.accessToken)
        var record: [String: Any] = [
            "$type": Self.postCollection, "text": post.content, "createdAt": ISO8601Timestamp.format(post.createdAt),
        ]
        if let replyTo = post.replyTo { record["reply"] = try await replyReference(to: replyTo, credentials: post.credentials) }
        let spans = BlueskyRichText.spans(in: post.content)
        if !spans.isEmpty {
            var dids: [String: String] = [:]
            for case .mention(let handle) in spans.map(\.kind) where dids[handle.lowercased()] == nil {
                if let did = try await resolve(handle: handle, credentials: post.credentials) { dids[handle.lowercased()] = did }
            }
            let facets = BlueskyRichText.facets(spans, dids: dids)
            if !facets.isEmpty { record["facets"] = facets }
        }
        if let embed {
            record["embed"] = embed
        } else if !post.media.isEmpty {
            var images: [[String: Any]] = []
            for file in post.media {
                var image: [String: Any] = ["alt": file.alt ?? "", "image": try await uploadBlob(file, for: post)]
                if let width = file.width, let height = file.height, width > 0, height > 0 { image["aspectRatio"] = ["width": width, "height": height] }
                images.append(image)
            }
            record["embed"] = ["$type": "app.bsky.embed.images", "images": images]
        }
        let body = try JSONSerialization.data(
            withJSONObject: ["repo": did, "collection": Self.postCollection, "rkey": Self.recordKey(for: post), "record": record],
            options: [.withoutEscapingSlashes]
        )
        let instance = post.credentials.instanceURL ?? defaultInstanceURL!
        let response = try await send(instance, "com.atproto.repo.createRecord", method: .POST, token: post.credentials.accessToken, body: body, mutates: true)
        guard response.status == 200 else { throw Self.error(for: response, mutates: true) }
        guard let created = response.decode(BlueskyRecordReference.self) else {
            throw ProviderError.outcomeUnknown(message: "record created but the answer could not be read: \(response.summary)")
        }
        return PublishedPost(platformID: created.uri, url: Self.webURL(of: created.uri))
    }

    package func findPublished(_ post: PublishRequest) async throws -> PublishedPost? {
        let did = try Self.subject(of: post.credentials.accessToken)
        let instance = post.credentials.instanceURL ?? defaultInstanceURL!
        let query = "repo=\(did)&collection=\(Self.postCollection)&rkey=\(Self.recordKey(for: post))"
        let response = try await send(instance, "com.atproto.repo.getRecord?\(query)", method: .GET, token: post.credentials.accessToken, body: nil, mutates: false)
        if response.status == 400, response.decode(BlueskyError.self)?.error == "RecordNotFound" { return nil }
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let record = response.decode(BlueskyRecord.self) else {
            throw ProviderError.unavailable(message: "the record could not be read: \(response.summary)")
        }
        // Another post under the same key (the one-in-a-billion case) is not this one.
        guard record.value.text == post.content else { return nil }
        return PublishedPost(platformID: record.uri, url: Self.webURL(of: record.uri))
    }

    package let deletesPosts = true

    /// `com.atproto.repo.deleteRecord` on the post's record; deleting a record that is not there succeeds.
    package func delete(_ post: DeleteRequest) async throws {
        guard let parts = Self.parts(of: post.platformID) else {
            throw ProviderError.rejected(status: 0, message: "\(post.platformID) is not an at:// record URI")
        }
        let body = try JSONEncoder().encode(["repo": parts.repo, "collection": parts.collection, "rkey": parts.rkey])
        let instance = post.credentials.instanceURL ?? defaultInstanceURL!
        let response = try await send(instance, "com.atproto.repo.deleteRecord", method: .POST, token: post.credentials.accessToken, body: body, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
    }

    package let readsMetrics = true

    /// `app.bsky.feed.getPosts`: likes, reposts, replies and quotes (Bluesky counts no views).
    package func metrics(_ post: MetricsRequest) async throws -> PostMetrics {
        let instance = post.credentials.instanceURL ?? defaultInstanceURL!
        let uri = post.platformID.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? post.platformID
        let response = try await send(instance, "app.bsky.feed.getPosts?uris=\(uri)", method: .GET, token: post.credentials.accessToken, body: nil, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let found = response.decode(BlueskyPostViews.self)?.posts.first(where: { $0.uri == post.platformID }) else {
            throw ProviderError.rejected(status: response.status, message: "the post is no longer on Bluesky")
        }
        return PostMetrics(counts: ["likes": found.likeCount ?? 0, "reposts": found.repostCount ?? 0, "replies": found.replyCount ?? 0, "quotes": found.quoteCount ?? 0])
    }

    /// The DID of `handle` (`com.atproto.identity.resolveHandle`), or nil when no account has it.
    private func resolve(handle: String, credentials: ProviderCredentials) async throws -> String? {
        let instance = credentials.instanceURL ?? defaultInstanceURL!
        let query = handle.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: ".-"))) ?? handle
        let response = try await send(instance, "com.atproto.identity.resolveHandle?handle=\(query)", method: .GET, token: credentials.accessToken, body: nil, mutates: false)
        if response.status == 400 { return nil }
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        return response.decode(BlueskyResolvedHandle.self)?.did
    }

    /// The `reply` field for a post answering `parentURI`: the parent's reference and its thread's root.
    private func replyReference(to parentURI: String, credentials: ProviderCredentials) async throws -> [String: Any] {
        guard let parts = Self.parts(of: parentURI) else {
            throw ProviderError.rejected(status: 0, message: "\(parentURI) is not an at:// record URI")
        }
        let instance = credentials.instanceURL ?? defaultInstanceURL!
        let query = "repo=\(parts.repo)&collection=\(parts.collection)&rkey=\(parts.rkey)"
        let response = try await send(instance, "com.atproto.repo.getRecord?\(query)", method: .GET, token: credentials.accessToken, body: nil, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let parent = response.decode(BlueskyRecord.self), let cid = parent.cid else {
            throw ProviderError.unavailable(message: "the post replied to could not be read: \(response.summary)")
        }
        let parentReference = ["uri": parent.uri, "cid": cid]
        let root = parent.value.reply?.root.map { ["uri": $0.uri, "cid": $0.cid] } ?? parentReference
        return ["root": root, "parent": parentReference]
    }

    private func session(from response: PlatformHTTP.Response, instance: URL) throws -> ConnectedAccount {
        guard let session = response.decode(BlueskySession.self) else {
            throw ProviderError.rejected(status: response.status, message: "the server did not answer like an AT Protocol server")
        }
        return ConnectedAccount(
            account: ProviderAccount(id: session.did, name: session.handle, username: session.handle, avatarURL: nil),
            credentials: ProviderCredentials(
                accessToken: session.accessJwt, refreshToken: session.refreshJwt,
                expiresAt: Self.expiry(of: session.accessJwt), instanceURL: instance
            )
        )
    }

    /// Calls the XRPC method `call` (with its query string, if any) on `instance`.
    /// Uploads one image (`com.atproto.repo.uploadBlob`); returns the blob reference to embed. A blob no
    /// record uses is removed by the PDS, so a repeated upload costs nothing but the bytes.
    func uploadBlob(_ file: PublishMedia, for post: PublishRequest) async throws -> [String: Any] {
        let bytes = try await post.contents(of: file, maximumBytes: mediaRules.maximumImageBytes)
        let instance = post.credentials.instanceURL ?? defaultInstanceURL!
        var base = instance.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        var request = HTTPClientRequest(url: "\(base)/xrpc/com.atproto.repo.uploadBlob")
        request.method = .POST
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(post.credentials.accessToken)")
        request.headers.add(name: "Content-Type", value: file.contentType)
        request.body = .bytes(bytes)
        let response = try await http.send(request, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let answer = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any],
              let blob = answer["blob"] as? [String: Any], blob["ref"] != nil
        else { throw ProviderError.unavailable(message: "uploadBlob's answer could not be read: \(response.summary)") }
        return blob
    }

    private func send(_ instance: URL, _ call: String, method: HTTPMethod, token: String?, body: Data?,
                      mutates: Bool) async throws -> PlatformHTTP.Response {
        var base = instance.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        var request = HTTPClientRequest(url: "\(base)/xrpc/\(call)")
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        return try await http.send(request, mutates: mutates)
    }
}

struct BlueskyPostViews: Decodable {
    var posts: [View]

    struct View: Decodable {
        var uri: String
        var likeCount: Int?
        var repostCount: Int?
        var replyCount: Int?
        var quoteCount: Int?
    }
}
