import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Google's OAuth 2.0 server and the YouTube Data API v3 as their documentation describes them, under
/// `/youtube`: the consent page (`/o/oauth2/v2/auth`), the token endpoint (`POST /token`, client secret in
/// the form), `GET /youtube/v3/channels?mine=true`, resumable uploads (`POST /upload/youtube/v3/videos?
/// uploadType=resumable` opens a session whose URL is in `Location`; `PUT` on it takes chunks with
/// `Content-Range` — multiples of 256 KiB but the last — and answers 308 with `Range` until the last byte,
/// then the video; `bytes */total` asks how far it got), `GET`/`DELETE /youtube/v3/videos`,
/// `GET`/`POST /youtube/v3/commentThreads` and `DELETE /youtube/v3/comments`. Errors are Google's
/// `{error: {code, message, errors: [{message, domain, reason}], status}}`; a project's quota allows six
/// uploads a day per account here (1,600 units each of 10,000), answered 403 `quotaExceeded`.
struct YouTubeRoutes {
    let sandbox: SandboxState
    let oauth: OAuthServer
    let state: YouTubeState
    static let platform = "youtube"
    static let uploadsPerDay = 6
    static let readLimit = 10_000
    static let chunkQuantum = 256 * 1024
    static let day: TimeInterval = 86_400

    func add(to group: RouterGroup<BasicRequestContext>) {
        OAuthEndpoints(server: oauth, consentPath: "/youtube/o/oauth2/v2/auth")
            .add(to: group, consentPath: "o/oauth2/v2/auth", tokenPath: "token") { request, body, handler in await record(request, body: body, handler) }
        group.get("youtube/v3/channels") { request, _ in
            await authenticated(request, body: ByteBuffer(), bucket: "read", limit: Self.readLimit) { account, now in
                let query = request.uri.queryParameters
                guard query["part"] != nil else { return Self.error(.badRequest, "required", "Required parameter: part", domain: "global") }
                var found: [YouTubeState.Channel] = []
                if query["mine"] == "true" {
                    found = [await state.channel(of: account, now: now)]
                } else if let ids = query["id"] {
                    for id in ids.split(separator: ",") { if let channel = await state.channel(id: String(id)) { found.append(channel) } }
                } else {
                    return Self.error(.badRequest, "missingRequiredParameter", "No filter selected. Expected one of: mine, id, forHandle, forUsername, managedByMe")
                }
                return SandboxJSON.response(Self.list("youtube#channelListResponse", found.map(channelJSON)))
            }
        }
        group.post("upload/youtube/v3/videos") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            return await authenticated(request, body: body, bucket: "upload", limit: .max) { account, now in
                await openSession(request, body: body, account: account, now: now)
            }
        }
        group.put("upload/youtube/v3/videos") { request, _ in
            // The session URL authorizes the upload; a bearer token may come too and is not needed.
            let id = request.uri.queryParameters["upload_id"].map(String.init) ?? ""
            let now = Date()
            var received = 0
            var head: [UInt8] = []
            for try await buffer in request.body {
                if head.count < 16 { head += buffer.getBytes(at: buffer.readerIndex, length: min(16 - head.count, buffer.readableBytes)) ?? [] }
                received += buffer.readableBytes
            }
            return await record(request, body: ByteBuffer(string: "(\(received) bytes)")) { _ in
                await faults.answer(await sandbox.takeFault(platform: Self.platform, path: request.uri.path), now: now) {
                    await takeChunk(request, session: id, bytes: received, head: head, now: now)
                }
            }
        }
        group.get("youtube/v3/videos") { request, _ in
            await authenticated(request, body: ByteBuffer(), bucket: "read", limit: Self.readLimit) { account, now in
                guard request.uri.queryParameters["part"] != nil else { return Self.error(.badRequest, "required", "Required parameter: part", domain: "global") }
                let mine = await state.channel(of: account, now: now).id
                var found: [YouTubeState.Video] = []
                for id in (request.uri.queryParameters["id"] ?? "").split(separator: ",") {
                    if let video = await state.video(id: String(id)), video.privacy == "public" || video.channelID == mine { found.append(video) }
                }
                var items: [[String: Any]] = []
                for video in found { items.append(await videoJSON(video)) }
                return SandboxJSON.response(Self.list("youtube#videoListResponse", items))
            }
        }
        group.delete("youtube/v3/videos") { request, _ in
            await authenticated(request, body: ByteBuffer(), bucket: "write", limit: Self.readLimit) { account, now in
                let id = request.uri.queryParameters["id"].map(String.init) ?? ""
                guard let video = await state.video(id: id) else {
                    return Self.error(.notFound, "videoNotFound", "The video identified by the <code>id</code> parameter could not be found.", domain: "youtube.video")
                }
                guard video.channelID == (await state.channel(of: account, now: now)).id else {
                    return Self.error(.forbidden, "forbidden", "The video that you are trying to delete cannot be deleted. The request might not be properly authorized.", domain: "youtube.video")
                }
                await state.deleteVideo(id: id)
                return Response(status: .noContent)
            }
        }
        group.get("youtube/v3/commentThreads") { request, _ in
            await authenticated(request, body: ByteBuffer(), bucket: "read", limit: Self.readLimit) { _, _ in
                let video = request.uri.queryParameters["videoId"].map(String.init) ?? ""
                guard await state.video(id: video) != nil else {
                    return Self.error(.notFound, "videoNotFound", "The video identified by the <code><a href=\"/youtube/v3/docs/commentThreads/list#videoId\">videoId</a></code> parameter could not be found.", domain: "youtube.commentThread")
                }
                let threads = await state.comments.filter { $0.videoID == video }.reversed().map(commentThreadJSON)
                return SandboxJSON.response(Self.list("youtube#commentThreadListResponse", Array(threads)))
            }
        }
        group.post("youtube/v3/commentThreads") { request, _ in
            let body = try await request.body.collect(upTo: 1024 * 1024)
            return await authenticated(request, body: body, bucket: "write", limit: Self.readLimit) { account, now in
                let input = SandboxJSON.parameters(body, contentType: "application/json") ?? [:]
                let snippet = input["snippet"] as? [String: Any] ?? [:]
                let text = ((snippet["topLevelComment"] as? [String: Any])?["snippet"] as? [String: Any])?["textOriginal"] as? String ?? ""
                guard let videoID = snippet["videoId"] as? String else {
                    return Self.error(.badRequest, "channelOrVideoIdMissing", "The comment thread must be associated with a video.", domain: "youtube.commentThread")
                }
                guard !text.isEmpty else { return Self.error(.badRequest, "commentTextRequired", "The comment resource that is being inserted must specify a value for the snippet.topLevelComment.snippet.textOriginal property.", domain: "youtube.commentThread") }
                guard text.count <= 10_000 else { return Self.error(.badRequest, "commentTextTooLong", "The comment resource that is being inserted contains too many characters in the snippet.topLevelComment.snippet.textOriginal property.", domain: "youtube.commentThread") }
                guard await state.video(id: videoID) != nil else {
                    return Self.error(.notFound, "videoNotFound", "The video identified by the <code>videoId</code> parameter could not be found.", domain: "youtube.commentThread")
                }
                let channel = await state.channel(of: account, now: now)
                let comment = await state.addComment(video: videoID, channel: channel.id, text: text, now: now)
                return SandboxJSON.response(commentThreadJSON(comment))
            }
        }
        group.delete("youtube/v3/comments") { request, _ in
            await authenticated(request, body: ByteBuffer(), bucket: "write", limit: Self.readLimit) { account, now in
                let id = request.uri.queryParameters["id"].map(String.init) ?? ""
                guard let comment = await state.comment(id: id) else {
                    return Self.error(.notFound, "commentNotFound", "The comment identified by the <code>id</code> parameter could not be found.", domain: "youtube.comment")
                }
                guard comment.channelID == (await state.channel(of: account, now: now)).id else {
                    return Self.error(.forbidden, "forbidden", "The comment could not be deleted.", domain: "youtube.comment")
                }
                await state.deleteComment(id: id)
                return Response(status: .noContent)
            }
        }
    }

    // MARK: Uploads

    private func openSession(_ request: Request, body: ByteBuffer, account: OAuthServer.Account, now: Date) async -> Response {
        guard request.uri.queryParameters["uploadType"] == "resumable" else {
            return Self.error(.badRequest, "invalidUploadType", "This sandbox takes resumable uploads (uploadType=resumable) only.", domain: "global")
        }
        let input = SandboxJSON.parameters(body, contentType: "application/json") ?? [:]
        let snippet = input["snippet"] as? [String: Any] ?? [:]
        let status = input["status"] as? [String: Any] ?? [:]
        let title = snippet["title"] as? String ?? ""
        let description = snippet["description"] as? String ?? ""
        if title.isEmpty || title.count > 100 || title.contains("<") || title.contains(">") {
            return Self.error(.badRequest, "invalidTitle", "The request metadata specifies an invalid or empty video title.", domain: "youtube.video")
        }
        if description.utf8.count > 5000 || description.contains("<") || description.contains(">") {
            return Self.error(.badRequest, "invalidDescription", "The request metadata specifies an invalid video description.", domain: "youtube.video")
        }
        let privacy = status["privacyStatus"] as? String ?? "public"
        guard ["public", "unlisted", "private"].contains(privacy) else {
            return Self.error(.badRequest, "invalidVideoMetadata", "The request metadata is invalid.", domain: "youtube.video")
        }
        let contentType = request.headers[HTTPField.Name("X-Upload-Content-Type")!] ?? "application/octet-stream"
        guard contentType.hasPrefix("video/") || contentType == "application/octet-stream" else {
            return Self.error(.badRequest, "mediaTypeNotSupported", "Media type '\(contentType)' is not supported. Valid media types: [video/*, application/octet-stream]", domain: "global")
        }
        guard let total = request.headers[HTTPField.Name("X-Upload-Content-Length")!].flatMap({ Int($0) }), total > 0 else {
            return Self.error(.badRequest, "uploadLengthRequired", "X-Upload-Content-Length is required for a resumable upload.", domain: "global")
        }
        let counted = await sandbox.countRequest(bucket: "youtube:uploads", accountID: account.id, limit: Self.uploadsPerDay, window: Self.day, now: now)
        if counted.exceeded {
            return Self.error(.forbidden, "quotaExceeded", "The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.", domain: "youtube.quota")
        }
        let channel = await state.channel(of: account, now: now)
        let session = await state.openSession(YouTubeState.Session(
            id: "", ownerID: account.id, channelID: channel.id, title: title, description: description, privacy: privacy,
            categoryID: snippet["categoryId"] as? String ?? "22", contentType: contentType, total: total, createdAt: now
        ))
        let location = "http://\(request.head.authority ?? "127.0.0.1")/youtube/upload/youtube/v3/videos?uploadType=resumable&upload_id=\(session.id)"
        return Response(status: .ok, headers: [.location: location, HTTPField.Name("X-GUploader-UploadID")!: session.id, .contentLength: "0"])
    }

    private func takeChunk(_ request: Request, session id: String, bytes: Int, head: [UInt8], now: Date) async -> Response {
        guard let session = await state.session(id: id) else {
            return Response(status: .notFound, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "Not Found")))
        }
        if let done = session.videoID, let video = await state.video(id: done) { return SandboxJSON.response(await videoJSON(video)) }
        let range = request.headers[.contentRange] ?? "bytes 0-\(max(0, bytes - 1))/\(session.total)"
        guard let parsed = Self.contentRange(range), parsed.total == session.total else {
            return Self.error(.badRequest, "invalidContentRange", "The Content-Range header does not match the upload (\(session.total) bytes).", domain: "global")
        }
        if let first = parsed.first {
            guard first <= session.received, parsed.last - first + 1 == bytes else {
                return Self.error(.badRequest, "invalidContentRange", "The chunk does not continue the upload at byte \(session.received).", domain: "global")
            }
            guard parsed.last + 1 == session.total || bytes % Self.chunkQuantum == 0 else {
                return Self.error(.badRequest, "invalidChunkSize", "Every chunk but the last must be a multiple of 256 KiB.", domain: "global")
            }
        }
        let updated = parsed.first == nil ? session : await state.receive(bytes, head: head, at: parsed.first ?? 0, session: id, now: now) ?? session
        if let done = updated.videoID, let video = await state.video(id: done) { return SandboxJSON.response(await videoJSON(video), status: .created) }
        var headers: HTTPFields = [.contentLength: "0"]
        if updated.received > 0 { headers[.range] = "bytes=0-\(updated.received - 1)" }
        return Response(status: .init(code: 308, reasonPhrase: "Resume Incomplete"), headers: headers)
    }

    /// `bytes a-b/total` or `bytes */total`.
    static func contentRange(_ text: String) -> (first: Int?, last: Int, total: Int)? {
        guard text.hasPrefix("bytes ") else { return nil }
        let parts = text.dropFirst(6).split(separator: "/")
        guard parts.count == 2, let total = Int(parts[1]) else { return nil }
        if parts[0] == "*" { return (nil, -1, total) }
        let bounds = parts[0].split(separator: "-")
        guard bounds.count == 2, let first = Int(bounds[0]), let last = Int(bounds[1]), first <= last, last < total else { return nil }
        return (first, last, total)
    }

    // MARK: Resources

    private func channelJSON(_ channel: YouTubeState.Channel) -> [String: Any] {
        [
            "kind": "youtube#channel", "etag": YouTubeState.randomID(27), "id": channel.id,
            "snippet": [
                "title": channel.title, "description": "", "customUrl": channel.handle, "publishedAt": SandboxJSON.timestamp(channel.createdAt),
                "thumbnails": ["default": ["url": "https://yt3.ggpht.com/\(channel.id)=s88", "width": 88, "height": 88]],
            ],
        ]
    }

    /// A video resource; its `commentCount` is its comments unless the control API set one.
    private func videoJSON(_ video: YouTubeState.Video) async -> [String: Any] {
        let comments = await state.comments.filter { $0.videoID == video.id }.count
        let statistics = ["viewCount": 0, "likeCount": 0, "favoriteCount": 0, "commentCount": comments].merging(video.statistics) { $1 }.mapValues(String.init)
        var status: [String: Any] = ["uploadStatus": video.uploadStatus, "privacyStatus": video.privacy, "embeddable": true, "madeForKids": false]
        if video.uploadStatus == "rejected" { status["rejectionReason"] = "invalidFile" }
        return [
            "kind": "youtube#video", "etag": YouTubeState.randomID(27), "id": video.id,
            "snippet": ["publishedAt": SandboxJSON.timestamp(video.publishedAt), "channelId": video.channelID, "title": video.title,
                        "description": video.description, "categoryId": video.categoryID],
            "status": status, "statistics": statistics,
        ]
    }

    private func commentThreadJSON(_ comment: YouTubeState.Comment) -> [String: Any] {
        [
            "kind": "youtube#commentThread", "etag": YouTubeState.randomID(27), "id": comment.id,
            "snippet": [
                "videoId": comment.videoID, "canReply": true, "totalReplyCount": 0, "isPublic": true,
                "topLevelComment": [
                    "kind": "youtube#comment", "id": comment.id,
                    "snippet": ["videoId": comment.videoID, "textOriginal": comment.text, "textDisplay": comment.text,
                                "authorChannelId": ["value": comment.channelID], "likeCount": 0,
                                "publishedAt": SandboxJSON.timestamp(comment.publishedAt), "updatedAt": SandboxJSON.timestamp(comment.publishedAt)],
                ],
            ],
        ]
    }

    static func list(_ kind: String, _ items: [[String: Any]]) -> [String: Any] {
        ["kind": kind, "etag": YouTubeState.randomID(27), "pageInfo": ["totalResults": items.count, "resultsPerPage": max(5, items.count)], "items": items]
    }

    // MARK: Plumbing

    private func authenticated(_ request: Request, body: ByteBuffer, bucket: String, limit: Int, _ handler: @escaping (OAuthServer.Account, Date) async -> Response) async -> Response {
        await record(request, body: body) { now in
            guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
                  let account = await oauth.authenticate(String(header.dropFirst(7)), now: now)
            else { return Self.unauthenticated }
            let counted = await sandbox.countRequest(bucket: "youtube:\(bucket)", accountID: account.id, limit: limit, window: Self.day, now: now)
            if counted.exceeded {
                return Self.error(.forbidden, "quotaExceeded", "The request cannot be completed because you have exceeded your quota.", domain: "youtube.quota")
            }
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
            rateLimited: { reset in
                var response = Self.error(.tooManyRequests, "rateLimitExceeded", "The request cannot be completed because you have exceeded your quota.", domain: "usageLimits")
                response.headers[.retryAfter] = String(max(1, Int(reset.timeIntervalSinceNow)))
                return response
            },
            serverError: Self.error(.internalServerError, "backendError", "Backend Error", domain: "global"),
            invalidToken: Self.unauthenticated,
            expiredToken: Self.unauthenticated
        )
    }

    static var unauthenticated: Response {
        var response = error(.unauthorized, "authError", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
                             domain: "global", status: "UNAUTHENTICATED")
        response.headers[.wwwAuthenticate] = "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\""
        return response
    }

    static func error(_ code: HTTPResponse.Status, _ reason: String, _ message: String, domain: String = "youtube.parameter", status: String? = nil) -> Response {
        let names: [UInt: String] = [400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED"]
        let name = status ?? names[UInt(code.code)] ?? "INTERNAL"
        return SandboxJSON.response(["error": ["code": Int(code.code), "message": message, "errors": [["message": message, "domain": domain, "reason": reason]], "status": name]],
                                    status: code)
    }
}
