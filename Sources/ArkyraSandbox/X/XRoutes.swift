import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// X's API v2 as its documentation describes it, under `/x`: the OAuth 2.0 consent page
/// (`/i/oauth2/authorize`, with Authorize and Cancel) and token endpoint (`/2/oauth2/token`: authorization
/// code with PKCE S256, refresh tokens that work once), `users/me`, creating, reading and deleting posts and
/// an account's posts, and images: `POST /2/media/upload` (multipart `media` with `media_category`, the
/// `media.write` scope; 5 MB, a GIF 15 MB; usable for a day) and `POST /2/media/metadata` (alt text of up to
/// 1,000 characters), attached to a post through `media.media_ids` (1 to 4). Errors are problem documents `{title, detail, type, status}`; every answer carries
/// `x-rate-limit-limit/remaining/reset` (epoch seconds); posting allows 100 requests per 15 minutes per
/// account, reading 900.
struct XRoutes {
    let sandbox: SandboxState
    let oauth: OAuthServer
    let state: XState
    static let platform = "x"
    static let window: TimeInterval = 900
    static let postLimit = 100
    static let readLimit = 900

    func add(to group: RouterGroup<BasicRequestContext>) {
        OAuthEndpoints(server: oauth, consentPath: "/x/i/oauth2/authorize")
            .add(to: group, consentPath: "i/oauth2/authorize", tokenPath: "2/oauth2/token") { request, body, handler in await record(request, body: body, handler) }
        group.get("2/users/me") { request, _ in
            await authenticated(request, body: ByteBuffer(), bucket: "users/me", limit: Self.readLimit) { account, _ in
                var user: [String: Any] = ["id": account.id, "name": account.name, "username": account.username]
                if request.uri.queryParameters["user.fields"].map({ $0.split(separator: ",").contains("profile_image_url") }) == true {
                    user["profile_image_url"] = "https://pbs.twimg.com/profile_images/\(account.id)/avatar_normal.png"
                }
                return (.ok, ["data": user])
            }
        }
        group.post("2/tweets") { request, _ in
            let body = try await request.body.collect(upTo: 1024 * 1024)
            return await authenticated(request, body: body, bucket: "tweets:create", limit: Self.postLimit) { account, now in
                await create(body, as: account, now: now)
            }
        }
        group.post("2/media/upload") { request, _ in
            let body = try await request.body.collect(upTo: 16 * 1024 * 1024)
            return await authenticated(request, body: ByteBuffer(string: "(\(body.readableBytes) bytes)"), bucket: "media:upload", limit: 500) { account, now in
                let token = String((request.headers[.authorization] ?? "").dropFirst(7))
                guard await oauth.scopes(of: token, now: now).contains("media.write") else {
                    return (.forbidden, Self.problem("Forbidden", "Your client app is not configured with the appropriate oauth1 app permissions for this endpoint: media.write is missing.", status: 403))
                }
                let parts = SandboxMultipart.parts(body, contentType: request.headers[.contentType]) ?? []
                guard let file = parts.first(where: { $0.name == "media" }), let type = SandboxMediaType.image(file.data) else {
                    return (.badRequest, Self.invalidRequest("media", "The `media` field must be an image (JPEG, PNG, GIF or WebP)."))
                }
                let category = parts.first { $0.name == "media_category" }.map { String(decoding: $0.data, as: UTF8.self) } ?? "tweet_image"
                guard ["tweet_image", "tweet_gif"].contains(category) else {
                    return (.badRequest, Self.invalidRequest("media_category", "This sandbox takes tweet_image and tweet_gif uploads."))
                }
                let limit = type == "image/gif" ? 15 * 1024 * 1024 : 5 * 1024 * 1024
                guard file.data.count <= limit else {
                    return (.badRequest, Self.invalidRequest("media", "The image is larger than \(limit / (1024 * 1024)) MB."))
                }
                let item = await state.addMedia(owner: account.id, contentType: type, size: file.data.count, now: now)
                var image: [String: Any] = ["image_type": type]
                if let size = SandboxMediaType.pngSize(file.data) { image["w"] = size.width; image["h"] = size.height }
                return (.ok, ["data": ["id": item.id, "media_key": "3_\(item.id)", "size": item.size, "expires_after_secs": 86_400, "image": image]])
            }
        }
        group.post("2/media/metadata") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            return await authenticated(request, body: body, bucket: "media:metadata", limit: 500) { account, _ in
                let input = SandboxJSON.parameters(body, contentType: "application/json") ?? [:]
                let id = input["id"] as? String ?? ""
                guard let text = ((input["metadata"] as? [String: Any])?["alt_text"] as? [String: Any])?["text"] as? String, text.count <= 1000 else {
                    return (.badRequest, Self.invalidRequest("metadata.alt_text.text", "The alt text is required and at most 1000 characters."))
                }
                guard await state.setAlt(media: id, owner: account.id, text) else {
                    return (.badRequest, Self.invalidRequest("id", "The media \(id) does not exist or is not yours."))
                }
                return (.ok, ["data": ["id": id, "associated_metadata": ["alt_text": ["text": text]]]])
            }
        }
        group.get("2/tweets/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await authenticated(request, body: ByteBuffer(), bucket: "tweets:read", limit: Self.readLimit) { _, _ in
                guard let post = await state.post(id: id) else { return (.ok, Self.notFound(id)) }
                var json = postJSON(post)
                let fields = request.uri.queryParameters["tweet.fields"].map { $0.split(separator: ",").map(String.init) } ?? []
                if fields.contains("public_metrics") {
                    json["public_metrics"] = [
                        "retweet_count": post.metrics["retweets"] ?? 0, "reply_count": await state.replies(to: post.id), "like_count": post.metrics["likes"] ?? 0,
                        "quote_count": post.metrics["quotes"] ?? 0, "bookmark_count": post.metrics["bookmarks"] ?? 0, "impression_count": post.metrics["impressions"] ?? 0,
                    ]
                }
                return (.ok, ["data": json])
            }
        }
        group.delete("2/tweets/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await authenticated(request, body: ByteBuffer(), bucket: "tweets:delete", limit: 50) { account, _ in
                guard await state.post(id: id) != nil else { return (.ok, Self.notFound(id)) }
                guard await state.deletePost(id: id, by: account) else {
                    return (.forbidden, Self.problem("Forbidden", "You are not allowed to delete this Tweet.", status: 403))
                }
                return (.ok, ["data": ["deleted": true]])
            }
        }
        group.get("2/users/:id/tweets") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await authenticated(request, body: ByteBuffer(), bucket: "users/tweets", limit: Self.readLimit) { _, _ in
                let query = request.uri.queryParameters
                let since = query["start_time"].flatMap { SandboxJSON.date(String($0)) } ?? .distantPast
                let maximum = min(100, max(5, query["max_results"].flatMap { Int(String($0)) } ?? 10))
                let posts = await state.posts.filter { $0.authorID == id && $0.createdAt >= since }.suffix(maximum).reversed()
                var answer: [String: Any] = ["meta": ["result_count": posts.count]]
                if !posts.isEmpty { answer["data"] = posts.map(postJSON) }
                return (.ok, answer)
            }
        }
    }

    // MARK: Posts

    private func create(_ body: ByteBuffer, as account: OAuthServer.Account, now: Date) async -> (HTTPResponse.Status, [String: Any]) {
        let input = SandboxJSON.parameters(body, contentType: "application/json") ?? [:]
        let mediaIDs = (input["media"] as? [String: Any])?["media_ids"] as? [String] ?? []
        let text = input["text"] as? String ?? ""
        guard !text.isEmpty || !mediaIDs.isEmpty else {
            return (.badRequest, Self.invalidRequest("text", "The `text` field is required when no media, poll or quote is given."))
        }
        if input["media"] != nil, !(1...4).contains(mediaIDs.count) {
            return (.badRequest, Self.invalidRequest("media.media_ids", "media.media_ids must have from 1 to 4 items."))
        }
        let replyTo = (input["reply"] as? [String: Any])?["in_reply_to_tweet_id"] as? String
        do {
            let post = try await state.createPost(author: account, text: text, replyTo: replyTo, mediaIDs: mediaIDs, now: now)
            return (.created, ["data": ["id": post.id, "text": post.text, "edit_history_tweet_ids": [post.id]]])
        } catch .mediaNotFound {
            return (.badRequest, Self.invalidRequest("media.media_ids", "Your media IDs are invalid."))
        } catch .duplicate {
            return (.forbidden, Self.problem("Forbidden", "You are not allowed to create a Tweet with duplicate content.", status: 403))
        } catch {
            return (.badRequest, Self.invalidRequest("reply.in_reply_to_tweet_id", "The Tweet you are replying to does not exist or is not visible to you."))
        }
    }

    private func postJSON(_ post: XState.Post) -> [String: Any] {
        var json: [String: Any] = [
            "id": post.id, "text": post.text, "author_id": post.authorID, "created_at": SandboxJSON.timestamp(post.createdAt),
            "edit_history_tweet_ids": [post.id],
        ]
        if let replyTo = post.replyTo { json["referenced_tweets"] = [["type": "replied_to", "id": replyTo]] }
        if !post.mediaIDs.isEmpty { json["attachments"] = ["media_keys": post.mediaIDs.map { "3_\($0)" }] }
        return json
    }

    // MARK: Plumbing

    /// Checks the access token and the account's rate limit for `bucket`, applies injected faults, runs
    /// `handler` and records the exchange.
    private func authenticated(
        _ request: Request, body: ByteBuffer, bucket: String, limit: Int,
        _ handler: @escaping (OAuthServer.Account, Date) async -> (HTTPResponse.Status, [String: Any])
    ) async -> Response {
        await record(request, body: body) { now in
            guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
                  let account = await oauth.authenticate(String(header.dropFirst(7)), now: now)
            else { return SandboxJSON.response(Self.problem("Unauthorized", "Unauthorized", status: 401), status: .unauthorized) }
            let counted = await sandbox.countRequest(bucket: "x:\(bucket)", accountID: account.id, limit: limit, window: Self.window, now: now)
            let headers = Self.rateHeaders(limit: limit, remaining: counted.remaining, reset: counted.reset)
            if counted.exceeded { return SandboxJSON.response(Self.problem("Too Many Requests", "Too Many Requests", status: 429), status: .tooManyRequests, headers: headers) }
            return await faults.answer(await sandbox.takeFault(platform: Self.platform, path: request.uri.path), now: now) {
                let (status, json) = await handler(account, now)
                return SandboxJSON.response(json, status: status, headers: headers)
            }
        }
    }

    private func record(_ request: Request, body: ByteBuffer, _ handler: (Date) async -> Response) async -> Response {
        let now = Date()
        let response = await handler(now)
        await sandbox.record(RecordedRequest(
            platform: Self.platform, method: request.method.rawValue, path: request.uri.path, idempotencyKey: nil,
            body: String(buffer: body), status: Int(response.status.code), receivedAt: now
        ))
        return response
    }

    private var faults: FaultResponses {
        let unauthorized = SandboxJSON.response(Self.problem("Unauthorized", "Unauthorized", status: 401), status: .unauthorized)
        return FaultResponses(
            rateLimited: { reset in
                SandboxJSON.response(Self.problem("Too Many Requests", "Too Many Requests", status: 429), status: .tooManyRequests,
                                     headers: Self.rateHeaders(limit: Self.postLimit, remaining: 0, reset: reset))
            },
            serverError: SandboxJSON.response(Self.problem("Internal Server Error", "Internal Server Error", status: 500), status: .internalServerError),
            invalidToken: unauthorized, expiredToken: unauthorized
        )
    }

    static func rateHeaders(limit: Int, remaining: Int, reset: Date) -> HTTPFields {
        [
            HTTPField.Name("x-rate-limit-limit")!: String(limit), HTTPField.Name("x-rate-limit-remaining")!: String(remaining),
            HTTPField.Name("x-rate-limit-reset")!: String(Int(reset.timeIntervalSince1970.rounded(.up))),
        ]
    }

    static func problem(_ title: String, _ detail: String, status: Int) -> [String: Any] {
        ["title": title, "detail": detail, "type": "about:blank", "status": status]
    }

    static func invalidRequest(_ parameter: String, _ message: String) -> [String: Any] {
        [
            "errors": [["parameters": [parameter: []], "message": message]], "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.", "type": "https://api.twitter.com/2/problems/invalid-request",
        ]
    }

    static func notFound(_ id: String) -> [String: Any] {
        ["errors": [[
            "value": id, "detail": "Could not find tweet with id: [\(id)].", "title": "Not Found Error", "resource_type": "tweet",
            "parameter": "id", "resource_id": id, "type": "https://api.twitter.com/2/problems/resource-not-found",
        ]]]
    }
}
