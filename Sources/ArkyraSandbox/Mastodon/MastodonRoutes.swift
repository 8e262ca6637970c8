import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Mastodon's REST API as its documentation describes it, under `/mastodon`: verify_credentials, creating
/// reading and deleting statuses, uploading media (`POST /api/v2/media`) and reading it, the instance (v1, v2); bearer-token auth, `{"error": ...}` bodies, `X-RateLimit-*` headers, 429 past the
/// limits (300 requests per 5 minutes, 300 statuses per 3 hours per account) and Idempotency-Key.
struct MastodonRoutes {
    let sandbox: SandboxState
    let state: MastodonState
    let baseURL: String
    static let platform = "mastodon"
    static let maximumCharacters = 500
    static let visibilities: Set<String> = ["public", "unlisted", "private", "direct"]

    func add(to group: RouterGroup<BasicRequestContext>) {
        group.get("api/v1/accounts/verify_credentials") { request, _ in
            await answer(request, body: ByteBuffer()) { account, now in
                let limit = await sandbox.countRequest(bucket: "api", accountID: account.id, limit: 300, window: 300, now: now)
                if limit.exceeded { return tooManyRequests(limit) }
                return SandboxJSON.response(accountJSON(account), headers: rateHeaders(limit, of: 300))
            }
        }
        group.post("api/v1/statuses") { request, context in
            let body = try await request.body.collect(upTo: 1024 * 1024)
            return await answer(request, body: body) { account, now in
                let limit = await sandbox.countRequest(bucket: "statuses", accountID: account.id, limit: 300, window: 3 * 3600, now: now)
                if limit.exceeded { return tooManyRequests(limit) }
                guard let parameters = SandboxJSON.parameters(body, contentType: request.headers[.contentType]) else {
                    return SandboxJSON.response(["error": "Error while parsing request body"], status: .badRequest)
                }
                let text = (parameters["status"] as? String) ?? ""
                let visibility = (parameters["visibility"] as? String) ?? "public"
                let mediaIDs = (parameters["media_ids"] as? [Any])?.map { "\($0)" } ?? []
                if mediaIDs.count > Self.maximumAttachments {
                    return SandboxJSON.response(["error": "Validation failed: Cannot attach more than \(Self.maximumAttachments) files"], status: .unprocessableContent)
                }
                var attached: [MastodonState.Attachment] = []
                for id in mediaIDs { if let attachment = await state.attachment(id: id), attachment.accountID == account.id { attached.append(attachment) } }
                if attached.contains(where: { $0.readyAt > now }) {
                    return SandboxJSON.response(["error": "Validation failed: Cannot attach files that have not finished processing. Try again in a moment!"],
                                                status: .unprocessableContent)
                }
                if attached.contains(where: \.isVideo) && attached.count > 1 {
                    return SandboxJSON.response(["error": "Validation failed: Cannot attach a video to a post that already contains images"], status: .unprocessableContent)
                }
                if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && mediaIDs.isEmpty {
                    return SandboxJSON.response(["error": "Validation failed: Text can't be blank"], status: .unprocessableContent)
                }
                if text.unicodeScalars.count > Self.maximumCharacters {
                    return SandboxJSON.response(["error": "Validation failed: Text character limit of \(Self.maximumCharacters) exceeded"], status: .unprocessableContent)
                }
                if !Self.visibilities.contains(visibility) {
                    return SandboxJSON.response(["error": "Validation failed: Visibility is not included in the list"], status: .unprocessableContent)
                }
                let replyTo = parameters["in_reply_to_id"] as? String
                if let replyTo, await state.status(id: replyTo) == nil {
                    return SandboxJSON.response(["error": "Record not found"], status: .notFound)
                }
                let status = await state.createStatus(
                    account: account, text: text, visibility: visibility, inReplyToID: replyTo,
                    idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!], now: now, mediaIDs: mediaIDs
                )
                return SandboxJSON.response(await statusJSON(status, account: account), headers: rateHeaders(limit, of: 300))
            }
        }
        group.get("api/v1/statuses/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await answer(request, body: ByteBuffer()) { account, now in
                let limit = await sandbox.countRequest(bucket: "api", accountID: account.id, limit: 300, window: 300, now: now)
                if limit.exceeded { return tooManyRequests(limit) }
                guard let status = await state.status(id: id) else {
                    return SandboxJSON.response(["error": "Record not found"], status: .notFound, headers: rateHeaders(limit, of: 300))
                }
                let author = await state.accounts.values.first { $0.id == status.accountID } ?? account
                return SandboxJSON.response(await statusJSON(status, account: author), headers: rateHeaders(limit, of: 300))
            }
        }
        group.delete("api/v1/statuses/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await answer(request, body: ByteBuffer()) { account, now in
                let limit = await sandbox.countRequest(bucket: "api", accountID: account.id, limit: 300, window: 300, now: now)
                if limit.exceeded { return tooManyRequests(limit) }
                // Another account's status is "not found" too: Mastodon looks only among the caller's own.
                guard let status = await state.deleteStatus(id: id, account: account) else {
                    return SandboxJSON.response(["error": "Record not found"], status: .notFound, headers: rateHeaders(limit, of: 300))
                }
                var deleted = await statusJSON(status, account: account)
                deleted["text"] = status.text
                return SandboxJSON.response(deleted, headers: rateHeaders(limit, of: 300))
            }
        }
        // The instance, as clients read it before anything else (Mastodon.py asks for its version); public.
        group.get("api/v1/instance") { _, _ in SandboxJSON.response(instanceV1JSON) }
        group.get("api/v2/instance") { _, _ in SandboxJSON.response(instanceV2JSON) }
        group.post("api/v2/media") { request, _ in
            let body = try await request.body.collect(upTo: Self.maximumVideoBytes + 1024 * 1024)
            return await answer(request, body: ByteBuffer(string: "(\(body.readableBytes) bytes of multipart)")) { account, now in
                let limit = await sandbox.countRequest(bucket: "media", accountID: account.id, limit: 30, window: 1800, now: now)
                if limit.exceeded { return tooManyRequests(limit) }
                guard let parts = SandboxMultipart.parts(body, contentType: request.headers[.contentType]) else {
                    return SandboxJSON.response(["error": "Error while parsing request body"], status: .badRequest)
                }
                guard let file = parts.first(where: { $0.name == "file" && $0.filename != nil }), !file.data.isEmpty else {
                    return SandboxJSON.response(["error": "Validation failed: File can't be blank"], status: .unprocessableContent)
                }
                guard let type = SandboxMediaType.sniff(file.data) else {
                    return SandboxJSON.response(["error": "Validation failed: File content type is invalid, File is invalid"], status: .unprocessableContent)
                }
                let video = type.hasPrefix("video/")
                if file.data.count > (video ? Self.maximumVideoBytes : Self.maximumImageBytes) {
                    return SandboxJSON.response(["error": "Validation failed: File file size must be less than \(video ? 99 : 16) MB"], status: .unprocessableContent)
                }
                let description = parts.first { $0.name == "description" }.map { String(decoding: $0.data, as: UTF8.self) }
                if (description?.count ?? 0) > 1500 {
                    return SandboxJSON.response(["error": "Validation failed: Description is too long (maximum is 1500 characters)"], status: .unprocessableContent)
                }
                let size = SandboxMediaType.pngSize(file.data)
                let attachment = await state.addAttachment(account: account, contentType: type, size: file.data.count, description: description,
                                                           width: size?.width, height: size?.height, now: now)
                // A video is processed after the upload: 202, its URL null until it is ready.
                return SandboxJSON.response(attachmentJSON(attachment, now: now), status: attachment.readyAt > now ? .accepted : .ok, headers: rateHeaders(limit, of: 30))
            }
        }
        group.get("api/v1/media/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await answer(request, body: ByteBuffer()) { account, now in
                guard let attachment = await state.attachment(id: id), attachment.accountID == account.id else {
                    return SandboxJSON.response(["error": "Record not found"], status: .notFound)
                }
                return SandboxJSON.response(attachmentJSON(attachment, now: now), status: attachment.readyAt > now ? .partialContent : .ok)
            }
        }
    }

    static let maximumAttachments = 4
    static let maximumVideoBytes = 99 * 1024 * 1024
    static let version = "4.3.2"

    private var host: String { URL(string: baseURL)?.host ?? "127.0.0.1" }

    private var instanceV1JSON: [String: Any] {
        [
            "uri": host, "title": "ARKYRA sandbox", "short_description": "An emulated Mastodon server", "description": "",
            "email": "sandbox@arkyra.local", "version": Self.version, "urls": ["streaming_api": "ws://\(host)"],
            "stats": ["user_count": 1, "status_count": 0, "domain_count": 1], "thumbnail": NSNull(), "languages": ["en"],
            "registrations": false, "approval_required": false, "invites_enabled": false,
            "configuration": configurationJSON, "contact_account": NSNull(), "rules": [Any](),
        ]
    }

    private var instanceV2JSON: [String: Any] {
        [
            "domain": host, "title": "ARKYRA sandbox", "version": Self.version, "api_versions": ["mastodon": 2], "source_url": "https://github.com/mastodon/mastodon",
            "description": "An emulated Mastodon server", "usage": ["users": ["active_month": 1]], "thumbnail": ["url": "\(baseURL)/packs/media/images/preview.png"],
            "languages": ["en"], "configuration": configurationJSON,
            "registrations": ["enabled": false, "approval_required": false, "message": NSNull()],
            "contact": ["email": "sandbox@arkyra.local", "account": NSNull()], "rules": [Any](),
        ]
    }

    private var configurationJSON: [String: Any] {
        [
            "urls": ["streaming": "ws://\(host)"],
            "accounts": ["max_featured_tags": 10],
            "statuses": ["max_characters": Self.maximumCharacters, "max_media_attachments": Self.maximumAttachments, "characters_reserved_per_url": 23],
            "media_attachments": [
                "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
                "image_size_limit": Self.maximumImageBytes, "image_matrix_limit": 33_177_600,
                "video_size_limit": 103_809_024, "video_frame_rate_limit": 120, "video_matrix_limit": 8_294_400,
            ],
            "polls": ["max_options": 4, "max_characters_per_option": 50, "min_expiration": 300, "max_expiration": 2_629_746],
        ]
    }
    static let maximumImageBytes = 16 * 1024 * 1024

    private func attachmentJSON(_ attachment: MastodonState.Attachment, now: Date = Date()) -> [String: Any] {
        var meta: [String: Any] = [:]
        if let width = attachment.width, let height = attachment.height, height > 0 {
            let original: [String: Any] = ["width": width, "height": height, "size": "\(width)x\(height)", "aspect": Double(width) / Double(height)]
            meta = ["original": original, "small": original]
        }
        let file = "\(baseURL)/system/media_attachments/files/\(attachment.id)/original/\(attachment.isVideo ? "video.mp4" : "image")"
        return [
            "id": attachment.id, "type": attachment.isVideo ? "video" : "image", "url": attachment.readyAt > now ? NSNull() : file as Any, "preview_url": file.replacingOccurrences(of: "/original/", with: "/small/"),
            "remote_url": NSNull(), "preview_remote_url": NSNull(), "text_url": NSNull(), "meta": meta,
            "description": attachment.description as Any? ?? NSNull(), "blurhash": "UFBWY:8_0Jxv_4t7M{of00xu%MRj~qRjt7WB",
        ]
    }

    /// Authenticates, applies injected faults, runs `handler` and records the exchange.
    private func answer(
        _ request: Request, body: ByteBuffer,
        _ handler: (MastodonState.Account, Date) async -> Response
    ) async -> Response {
        let now = Date()
        var response: Response
        let fault = await sandbox.takeFault(platform: Self.platform, path: request.uri.path)
        if let account = await authenticate(request) {
            response = await faultResponses.answer(fault, now: now) { await handler(account, now) }
        } else {
            response = SandboxJSON.response(["error": "The access token is invalid"], status: .unauthorized, headers: wwwAuthenticate)
        }
        await sandbox.record(RecordedRequest(
            platform: Self.platform, method: request.method.rawValue, path: request.uri.path,
            idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!], body: String(buffer: body),
            status: Int(response.status.code), receivedAt: now
        ))
        return response
    }

    private var faultResponses: FaultResponses {
        let invalid = SandboxJSON.response(["error": "The access token is invalid"], status: .unauthorized, headers: wwwAuthenticate)
        return FaultResponses(
            rateLimited: { reset in
                SandboxJSON.response(["error": "Too many requests"], status: .tooManyRequests, headers: [
                    HTTPField.Name("X-RateLimit-Limit")!: "300", HTTPField.Name("X-RateLimit-Remaining")!: "0",
                    HTTPField.Name("X-RateLimit-Reset")!: SandboxJSON.timestamp(reset),
                ])
            },
            serverError: SandboxJSON.response(["error": "We're sorry, but something went wrong on our end."], status: .internalServerError),
            invalidToken: invalid, expiredToken: invalid
        )
    }

    private var wwwAuthenticate: HTTPFields {
        [HTTPField.Name("WWW-Authenticate")!: #"Bearer realm="Doorkeeper", error="invalid_token", error_description="The access token is invalid""#]
    }

    private func authenticate(_ request: Request) async -> MastodonState.Account? {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        return await state.account(token: String(header.dropFirst(7)))
    }

    private func rateHeaders(_ limit: (remaining: Int, reset: Date, exceeded: Bool), of total: Int) -> HTTPFields {
        [
            HTTPField.Name("X-RateLimit-Limit")!: String(total),
            HTTPField.Name("X-RateLimit-Remaining")!: String(limit.remaining),
            HTTPField.Name("X-RateLimit-Reset")!: SandboxJSON.timestamp(limit.reset),
        ]
    }

    private func tooManyRequests(_ limit: (remaining: Int, reset: Date, exceeded: Bool)) -> Response {
        SandboxJSON.response(["error": "Too many requests"], status: .tooManyRequests, headers: rateHeaders(limit, of: 300))
    }

    private func accountJSON(_ account: MastodonState.Account) -> [String: Any] {
        [
            "id": account.id, "username": account.username, "acct": account.username, "display_name": account.displayName,
            "locked": false, "bot": false, "discoverable": true, "group": false,
            "created_at": SandboxJSON.timestamp(account.createdAt), "note": "", "url": "\(baseURL)/@\(account.username)",
            "avatar": "\(baseURL)/avatars/original/missing.png", "avatar_static": "\(baseURL)/avatars/original/missing.png",
            "header": "\(baseURL)/headers/original/missing.png", "header_static": "\(baseURL)/headers/original/missing.png",
            "followers_count": 0, "following_count": 0, "statuses_count": 0, "emojis": [Any](), "fields": [Any](),
        ]
    }

    private func statusJSON(_ status: MastodonState.Status, account: MastodonState.Account) async -> [String: Any] {
        var media: [[String: Any]] = []
        for id in status.mediaIDs { if let attachment = await state.attachment(id: id) { media.append(attachmentJSON(attachment)) } }
        return statusJSON(status, account: account, media: media, replies: await state.replies(to: status.id))
    }

    private func statusJSON(_ status: MastodonState.Status, account: MastodonState.Account, media: [[String: Any]], replies: Int = 0) -> [String: Any] {
        let escaped = status.text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
        return [
            "id": status.id, "created_at": SandboxJSON.timestamp(status.createdAt),
            "in_reply_to_id": status.inReplyToID as Any? ?? NSNull(), "in_reply_to_account_id": NSNull(),
            "sensitive": false, "spoiler_text": "", "visibility": status.visibility, "language": "en",
            "uri": "\(baseURL)/users/\(account.username)/statuses/\(status.id)",
            "url": "\(baseURL)/@\(account.username)/\(status.id)",
            "replies_count": replies, "reblogs_count": status.reblogs, "favourites_count": status.favourites,
            "content": "<p>\(escaped)</p>", "reblog": NSNull(), "application": ["name": "ARKYRA", "website": NSNull()],
            "account": accountJSON(account), "media_attachments": media, "mentions": [Any](), "tags": [Any](), "emojis": [Any](),
            "card": NSNull(), "poll": NSNull(),
        ]
    }
}
