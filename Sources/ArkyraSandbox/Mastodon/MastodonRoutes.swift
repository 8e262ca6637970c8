import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Mastodon's REST API as its documentation describes it, under `/mastodon`: verify_credentials, creating
/// and reading statuses; bearer-token auth, `{"error": ...}` bodies, `X-RateLimit-*` headers, 429 past the
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
                if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
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
                    idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!], now: now
                )
                return SandboxJSON.response(statusJSON(status, account: account), headers: rateHeaders(limit, of: 300))
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
                return SandboxJSON.response(statusJSON(status, account: author), headers: rateHeaders(limit, of: 300))
            }
        }
    }

    /// Authenticates, applies injected faults, runs `handler` and records the exchange.
    private func answer(
        _ request: Request, body: ByteBuffer,
        _ handler: (MastodonState.Account, Date) async -> Response
    ) async -> Response {
        let now = Date()
        var response: Response
        let fault = await sandbox.takeFault(platform: Self.platform)
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

    private func statusJSON(_ status: MastodonState.Status, account: MastodonState.Account) -> [String: Any] {
        let escaped = status.text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
        return [
            "id": status.id, "created_at": SandboxJSON.timestamp(status.createdAt),
            "in_reply_to_id": status.inReplyToID as Any? ?? NSNull(), "in_reply_to_account_id": NSNull(),
            "sensitive": false, "spoiler_text": "", "visibility": status.visibility, "language": "en",
            "uri": "\(baseURL)/users/\(account.username)/statuses/\(status.id)",
            "url": "\(baseURL)/@\(account.username)/\(status.id)",
            "replies_count": 0, "reblogs_count": 0, "favourites_count": 0,
            "content": "<p>\(escaped)</p>", "reblog": NSNull(), "application": ["name": "ARKYRA", "website": NSNull()],
            "account": accountJSON(account), "media_attachments": [Any](), "mentions": [Any](), "tags": [Any](), "emojis": [Any](),
            "card": NSNull(), "poll": NSNull(),
        ]
    }
}
