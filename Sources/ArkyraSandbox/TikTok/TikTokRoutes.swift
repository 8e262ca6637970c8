import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// TikTok's Login Kit and Content Posting API as their documentation describes them, under `/tiktok`: the
/// consent page (`/v2/auth/authorize/`, the app named by `client_key`), the token endpoint
/// (`POST /v2/oauth/token/`: `client_key` and `client_secret` in the form; the answer names the account's
/// `open_id`), `GET /v2/user/info/`, `POST /v2/post/publish/creator_info/query/`, `POST
/// /v2/post/publish/video/init/` (chunks of 5–64 MB, a video under 5 MB whole, `total_chunk_count` =
/// size ÷ chunk rounded down), `PUT /upload/` with `Content-Range` (206 until the last chunk, then 201),
/// `POST /v2/post/publish/status/fetch/` (PROCESSING_UPLOAD → PROCESSING_DOWNLOAD → PUBLISH_COMPLETE or
/// FAILED with a `fail_reason`) and `POST /v2/video/query/`. Answers are `{data, error: {code, message,
/// log_id}}`; a token makes at most 6 init calls and 30 status calls a minute, an account 15 posts a day.
struct TikTokRoutes {
    let sandbox: SandboxState
    let oauth: OAuthServer
    let state: TikTokState
    static let platform = "tiktok"
    static let initLimit = 6
    static let statusLimit = 30
    static let readLimit = 600
    static let postsPerDay = 15
    static let minute: TimeInterval = 60

    func add(to group: RouterGroup<BasicRequestContext>) {
        OAuthEndpoints(server: oauth, consentPath: "/tiktok/v2/auth/authorize/", clientIDField: "client_key")
            .add(to: group, consentPath: "v2/auth/authorize/", tokenPath: nil) { request, body, handler in await record(request, body: body, handler) }
        group.post("v2/oauth/token/") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            return await record(request, body: body) { now in await token(body, now: now) }
        }
        group.get("v2/user/info/") { request, _ in
            await authenticated(request, body: ByteBuffer(), bucket: "read", limit: Self.readLimit) { account, _ in
                let fields = (request.uri.queryParameters["fields"] ?? "").split(separator: ",").map(String.init)
                let all: [String: Any] = ["open_id": account.id, "union_id": "u" + account.id, "display_name": account.name, "username": account.username,
                                          "avatar_url": "https://p16-sign.tiktokcdn-us.com/\(account.id)~c5_168x168.jpeg"]
                guard !fields.isEmpty else { return Self.failure(.badRequest, "invalid_params", "The fields parameter is required.") }
                return Self.success(["user": all.filter { fields.contains($0.key) }])
            }
        }
        group.post("v2/post/publish/creator_info/query/") { request, _ in
            await authenticated(request, body: ByteBuffer(), bucket: "creator", limit: 20) { account, _ in
                Self.success([
                    "creator_avatar_url": "https://p16-sign.tiktokcdn-us.com/\(account.id)~c5_168x168.jpeg", "creator_username": account.username,
                    "creator_nickname": account.name, "privacy_level_options": await state.privacyOptions, "comment_disabled": false,
                    "duet_disabled": false, "stitch_disabled": true, "max_video_post_duration_sec": 600,
                ])
            }
        }
        group.post("v2/post/publish/video/init/") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            return await authenticated(request, body: body, bucket: "init", limit: Self.initLimit) { account, now in
                await open(request, body: body, account: account, now: now)
            }
        }
        group.put("upload/") { request, _ in
            let uploadID = request.uri.queryParameters["upload_id"].map(String.init) ?? ""
            let now = Date()
            var received = 0
            var head: [UInt8] = []
            for try await buffer in request.body {
                if head.count < 16 { head += buffer.getBytes(at: buffer.readerIndex, length: min(16 - head.count, buffer.readableBytes)) ?? [] }
                received += buffer.readableBytes
            }
            return await record(request, body: ByteBuffer(string: "(\(received) bytes)")) { _ in
                await faults.answer(await sandbox.takeFault(platform: Self.platform, path: request.uri.path), now: now) {
                    await takeChunk(request, uploadID: uploadID, bytes: received, head: head, now: now)
                }
            }
        }
        group.post("v2/post/publish/status/fetch/") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            return await authenticated(request, body: body, bucket: "status", limit: Self.statusLimit) { account, now in
                let id = (SandboxJSON.parameters(body, contentType: "application/json") ?? [:])["publish_id"] as? String ?? ""
                guard let publish = await state.settle(id: id, now: now), publish.ownerID == account.id else {
                    return Self.failure(.badRequest, "invalid_publish_id", "The publish_id does not exist or does not belong to this user.")
                }
                var data: [String: Any] = ["status": Self.status(of: publish, now: now), "uploaded_bytes": publish.received, "downloaded_bytes": 0]
                if let reason = publish.failReason { data["fail_reason"] = reason }
                data["publicaly_available_post_id"] = publish.videoID.flatMap { publish.privacy == "PUBLIC_TO_EVERYONE" ? [Int64($0) ?? 0] : nil } ?? []
                return Self.success(data)
            }
        }
        group.post("v2/video/query/") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            return await authenticated(request, body: body, bucket: "read", limit: Self.readLimit) { account, _ in
                let fields = Set((request.uri.queryParameters["fields"] ?? "").split(separator: ",").map(String.init))
                let ids = ((SandboxJSON.parameters(body, contentType: "application/json") ?? [:])["filters"] as? [String: Any])?["video_ids"] as? [String] ?? []
                guard !fields.isEmpty, !ids.isEmpty, ids.count <= 20 else {
                    return Self.failure(.badRequest, "invalid_params", "fields and 1 to 20 filters.video_ids are required.")
                }
                var videos: [[String: Any]] = []
                for id in ids {
                    guard let video = await state.video(id: id), video.ownerID == account.id else { continue }
                    let all: [String: Any] = ["id": video.id, "title": video.caption, "video_description": video.caption,
                                              "create_time": Int(video.createdAt.timeIntervalSince1970),
                                              "view_count": video.metrics["view_count"] ?? 0, "like_count": video.metrics["like_count"] ?? 0,
                                              "comment_count": video.metrics["comment_count"] ?? 0, "share_count": video.metrics["share_count"] ?? 0]
                    videos.append(all.filter { fields.contains($0.key) || $0.key == "id" })
                }
                return Self.success(["videos": videos, "cursor": 0, "has_more": false])
            }
        }
    }

    // MARK: Tokens

    private func token(_ body: ByteBuffer, now: Date) async -> Response {
        let form = SandboxJSON.parameters(body, contentType: "application/x-www-form-urlencoded") ?? [:]
        let field = { (name: String) in form[name] as? String ?? "" }
        guard let app = await oauth.apps[field("client_key")], app.clientSecret == nil || app.clientSecret == field("client_secret") else {
            return Self.oauthError("invalid_client", "Client key or secret is incorrect.")
        }
        let issued: OAuthServer.Issued
        switch field("grant_type") {
        case "authorization_code":
            do {
                issued = try await oauth.exchange(code: field("code"), clientID: app.clientID, redirectURI: field("redirect_uri"), verifier: field("code_verifier"), now: now)
            } catch {
                return Self.oauthError("invalid_grant", oauth.policy.invalidCode)
            }
        case "refresh_token":
            guard let refreshed = await oauth.refresh(field("refresh_token"), clientID: app.clientID, now: now) else {
                return Self.oauthError("invalid_grant", oauth.policy.invalidRefresh)
            }
            issued = refreshed
        default:
            return Self.oauthError("invalid_request", "The grant_type is not supported.")
        }
        var answer: [String: Any] = ["access_token": issued.access, "expires_in": Int(oauth.policy.accessLifetime), "open_id": issued.token.accountID,
                                     "scope": issued.token.scope, "token_type": "Bearer"]
        if let refresh = issued.refresh { answer["refresh_token"] = refresh }
        if let expiresAt = issued.refreshExpiresAt { answer["refresh_expires_in"] = max(0, Int(expiresAt.timeIntervalSince(now))) }
        return SandboxJSON.response(answer)
    }

    static func oauthError(_ error: String, _ description: String) -> Response {
        SandboxJSON.response(["error": error, "error_description": description, "log_id": logID()], status: .badRequest)
    }

    // MARK: Uploads

    private func open(_ request: Request, body: ByteBuffer, account: OAuthServer.Account, now: Date) async -> Response {
        let input = SandboxJSON.parameters(body, contentType: "application/json") ?? [:]
        let post = input["post_info"] as? [String: Any] ?? [:]
        let source = input["source_info"] as? [String: Any] ?? [:]
        let caption = post["title"] as? String ?? ""
        let privacy = post["privacy_level"] as? String ?? ""
        guard caption.utf16.count <= 2200 else { return Self.failure(.badRequest, "invalid_params", "The title is longer than 2200 characters.") }
        let options = await state.privacyOptions
        if options == ["SELF_ONLY"], privacy != "SELF_ONLY" {
            return Self.failure(.forbidden, "unaudited_client_can_only_post_to_private_accounts", "Unaudited clients can only post to a private account.")
        }
        guard options.contains(privacy) else {
            return Self.failure(.badRequest, "privacy_level_option_mismatch", "The privacy_level is not among the creator's privacy_level_options.")
        }
        guard source["source"] as? String == "FILE_UPLOAD" else {
            return Self.failure(.badRequest, "invalid_params", "This sandbox takes source FILE_UPLOAD only (PULL_FROM_URL needs a verified domain).")
        }
        let size = source["video_size"] as? Int ?? 0, chunk = source["chunk_size"] as? Int ?? 0, count = source["total_chunk_count"] as? Int ?? 0
        let mb = 1024 * 1024
        guard size > 0, size <= 4 * 1024 * mb else { return Self.failure(.badRequest, "invalid_params", "The video_size must be between 1 byte and 4 GB.") }
        let chunkValid = size < 5 * mb ? chunk == size : (5 * mb...64 * mb).contains(chunk)
        guard chunkValid, count == max(1, size / chunk), count <= 1000 else {
            return Self.failure(.badRequest, "invalid_params", "The chunk_size or total_chunk_count is invalid (chunks of 5 to 64 MB, a video under 5 MB in one).")
        }
        if await state.postsToday(of: account.id, now: now) >= Self.postsPerDay {
            return Self.failure(.forbidden, "spam_risk_too_many_posts", "The user has reached the daily post cap.")
        }
        let publish = await state.open(owner: account.id, caption: caption, privacy: privacy, size: size, chunkSize: chunk, chunks: count, now: now)
        let url = "http://\(request.head.authority ?? "127.0.0.1")/tiktok/upload/?upload_id=\(publish.uploadID)&upload_token=\(YouTubeState.randomID(16))"
        return Self.success(["publish_id": publish.id, "upload_url": url])
    }

    private func takeChunk(_ request: Request, uploadID: String, bytes: Int, head: [UInt8], now: Date) async -> Response {
        guard let publish = await state.publish(uploadID: uploadID) else {
            return Self.failure(.notFound, "invalid_params", "The upload_url is unknown or expired.")
        }
        guard publish.completedAt == nil else { return Self.failure(.badRequest, "invalid_params", "The upload is already complete.") }
        guard let type = request.headers[.contentType], ["video/mp4", "video/quicktime", "video/webm"].contains(type) else {
            return Self.failure(.badRequest, "invalid_params", "The Content-Type must be video/mp4, video/quicktime or video/webm.")
        }
        guard let range = YouTubeRoutes.contentRange(request.headers[.contentRange] ?? ""), let first = range.first, range.total == publish.size,
              range.last - first + 1 == bytes else {
            return Self.failure(.badRequest, "invalid_params", "The Content-Range header is missing or does not match the body.")
        }
        let index = first / publish.chunkSize
        let expectedLast = index == publish.chunks - 1 ? publish.size - 1 : first + publish.chunkSize - 1
        guard first == publish.received, first % publish.chunkSize == 0, range.last == expectedLast else {
            return Response(status: .rangeNotSatisfiable, headers: [.contentRange: "bytes */\(publish.size)"])
        }
        guard let updated = await state.receive(uploadID: uploadID, first: first, bytes: bytes, head: head, now: now) else {
            return Self.failure(.notFound, "invalid_params", "The upload_url is unknown or expired.")
        }
        return Response(status: updated.completedAt == nil ? .partialContent : .created, headers: [.contentLength: "0"])
    }

    static func status(of publish: TikTokState.Publish, now: Date) -> String {
        if publish.failReason != nil { return "FAILED" }
        if publish.videoID != nil { return "PUBLISH_COMPLETE" }
        return publish.completedAt == nil ? "PROCESSING_UPLOAD" : "PROCESSING_DOWNLOAD"
    }

    // MARK: Plumbing

    private func authenticated(_ request: Request, body: ByteBuffer, bucket: String, limit: Int, _ handler: @escaping (OAuthServer.Account, Date) async -> Response) async -> Response {
        await record(request, body: body) { now in
            guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
                  let account = await oauth.authenticate(String(header.dropFirst(7)), now: now)
            else { return Self.invalidToken }
            let counted = await sandbox.countRequest(bucket: "tiktok:\(bucket)", accountID: account.id, limit: limit, window: Self.minute, now: now)
            if counted.exceeded { return Self.failure(.tooManyRequests, "rate_limit_exceeded", "The API rate limit was exceeded. Please try again later.") }
            return await faults.answer(await sandbox.takeFault(platform: Self.platform, path: request.uri.path), now: now) { await handler(account, now) }
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
        FaultResponses(
            rateLimited: { _ in Self.failure(.tooManyRequests, "rate_limit_exceeded", "The API rate limit was exceeded. Please try again later.") },
            serverError: Self.failure(.internalServerError, "internal_error", "Something went wrong. Please try again later."),
            invalidToken: Self.invalidToken,
            expiredToken: Self.invalidToken
        )
    }

    static var invalidToken: Response {
        failure(.unauthorized, "access_token_invalid", "The access token is invalid or not found in the request.")
    }

    static func success(_ data: [String: Any]) -> Response {
        SandboxJSON.response(["data": data, "error": ["code": "ok", "message": "", "log_id": logID()]])
    }

    static func failure(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        SandboxJSON.response(["data": [:] as [String: Any], "error": ["code": code, "message": message, "log_id": logID()]], status: status)
    }

    static func logID() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMddHHmmss"
        formatter.timeZone = .gmt
        return formatter.string(from: Date()) + String(UInt64.random(in: 100_000_000_000...999_999_999_999))
    }
}
