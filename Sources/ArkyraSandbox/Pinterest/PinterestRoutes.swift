import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Pinterest's API v5 as its documentation describes it, under `/pinterest`: the consent page (`/oauth/`),
/// the token endpoint (`POST /v5/oauth/token`, Basic client authentication), `GET /v5/user_account`,
/// `GET /v5/boards`, `GET /v5/boards/{id}/pins`, `POST /v5/pins` (an image as `image_base64` or
/// `image_url`), `GET /v5/pins/{id}` (with `pin_metrics=true`) and `DELETE /v5/pins/{id}`. Errors are
/// `{code, message}`; a 429 carries `Retry-After`; an account creates at most 1,000 Pins a day here.
struct PinterestRoutes {
    let sandbox: SandboxState
    let oauth: OAuthServer
    let state: PinterestState
    static let platform = "pinterest"
    static let pinLimit = 1000
    static let readLimit = 100_000
    static let day: TimeInterval = 86_400

    func add(to group: RouterGroup<BasicRequestContext>) {
        OAuthEndpoints(server: oauth, consentPath: "/pinterest/oauth/")
            .add(to: group, consentPath: "oauth/", tokenPath: "v5/oauth/token") { request, body, handler in await record(request, body: body, handler) }
        group.get("v5/user_account") { request, _ in
            await authenticated(request, body: ByteBuffer(), bucket: "read", limit: Self.readLimit) { account, _ in
                SandboxJSON.response(["id": account.id, "username": account.username, "account_type": "BUSINESS", "business_name": account.name,
                                      "profile_image": "https://i.pinimg.com/75x75_RS/\(account.id).jpg", "website_url": NSNull()])
            }
        }
        group.get("v5/boards") { request, _ in
            await authenticated(request, body: ByteBuffer(), bucket: "read", limit: Self.readLimit) { account, _ in
                let boards = await state.boards(of: account.id).map { ["id": $0.id, "name": $0.name, "privacy": $0.privacy, "description": ""] }
                return SandboxJSON.response(["items": boards, "bookmark": NSNull()])
            }
        }
        group.get("v5/boards/:id/pins") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await authenticated(request, body: ByteBuffer(), bucket: "read", limit: Self.readLimit) { account, _ in
                guard let board = await state.board(id: id), board.ownerID == account.id else { return Self.error(.notFound, 2, "Board not found.") }
                let pins = await state.pins.filter { $0.boardID == board.id }.reversed().map(pinJSON)
                return SandboxJSON.response(["items": Array(pins), "bookmark": NSNull()])
            }
        }
        group.post("v5/pins") { request, _ in
            let body = try await request.body.collect(upTo: 32 * 1024 * 1024)
            return await authenticated(request, body: ByteBuffer(string: "(\(body.readableBytes) bytes)"), bucket: "pins:create", limit: Self.pinLimit) { account, now in
                await create(body, as: account, now: now)
            }
        }
        group.get("v5/pins/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await authenticated(request, body: ByteBuffer(), bucket: "read", limit: Self.readLimit) { account, _ in
                guard let pin = await state.pin(id: id), pin.ownerID == account.id else { return Self.error(.notFound, 50, "Pin not found.") }
                var json = pinJSON(pin)
                if request.uri.queryParameters["pin_metrics"] == "true" {
                    json["pin_metrics"] = ["lifetime_metrics": ["impression": 0, "save": 0, "pin_click": 0, "outbound_click": 0, "reaction": 0, "comment": 0]
                        .merging(pin.metrics) { $1 }]
                }
                return SandboxJSON.response(json)
            }
        }
        group.delete("v5/pins/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await authenticated(request, body: ByteBuffer(), bucket: "pins:create", limit: Self.pinLimit) { account, _ in
                guard await state.delete(id: id, owner: account.id) else { return Self.error(.notFound, 50, "Pin not found.") }
                return Response(status: .noContent)
            }
        }
    }

    private func create(_ body: ByteBuffer, as account: OAuthServer.Account, now: Date) async -> Response {
        guard let input = SandboxJSON.parameters(body, contentType: "application/json") else {
            return Self.error(.badRequest, 1, "Invalid request body")
        }
        guard let boardID = input["board_id"] as? String, let board = await state.board(id: boardID), board.ownerID == account.id else {
            return Self.error(.badRequest, 2, "Board not found.")
        }
        let description = input["description"] as? String ?? ""
        let title = input["title"] as? String ?? ""
        if description.count > 800 { return Self.error(.badRequest, 1, "Invalid parameters: description must be at most 800 characters.") }
        if title.count > 100 { return Self.error(.badRequest, 1, "Invalid parameters: title must be at most 100 characters.") }
        guard let source = input["media_source"] as? [String: Any], let kind = source["source_type"] as? String else {
            return Self.error(.badRequest, 1, "Invalid parameters: media_source is required.")
        }
        let contentType: String
        switch kind {
        case "image_base64":
            guard let data = (source["data"] as? String).flatMap({ Data(base64Encoded: $0) }), let sniffed = SandboxMediaType.image(data) else {
                return Self.error(.badRequest, 1, "Invalid parameters: media_source.data is not a base64 image.")
            }
            guard source["content_type"] as? String == sniffed else {
                return Self.error(.badRequest, 1, "Invalid parameters: media_source.content_type does not match the image (\(sniffed)).")
            }
            guard data.count <= 20 * 1024 * 1024 else { return Self.error(.badRequest, 1, "Invalid parameters: the image is larger than 20 MB.") }
            contentType = sniffed
        case "image_url":
            guard let url = source["url"] as? String, URL(string: url)?.scheme?.hasPrefix("http") == true else {
                return Self.error(.badRequest, 1, "Invalid parameters: media_source.url is required.")
            }
            contentType = "image/jpeg"
        default:
            return Self.error(.badRequest, 1, "Invalid parameters: media_source.source_type \(kind) is not supported here.")
        }
        let pin = await state.addPin(board: board, title: title, description: description, link: input["link"] as? String,
                                     altText: input["alt_text"] as? String, contentType: contentType, now: now)
        return SandboxJSON.response(pinJSON(pin), status: .created)
    }

    private func pinJSON(_ pin: PinterestState.Pin) -> [String: Any] {
        [
            "id": pin.id, "board_id": pin.boardID, "title": pin.title, "description": pin.description, "link": pin.link as Any? ?? NSNull(),
            "alt_text": pin.altText as Any? ?? NSNull(), "created_at": SandboxJSON.timestamp(pin.createdAt), "board_owner": ["username": pin.ownerID],
            "media": ["media_type": "image", "images": ["600x": ["url": "https://i.pinimg.com/600x/\(pin.id).jpg", "width": 600, "height": 600]]],
            "creative_type": "REGULAR", "is_owner": true,
        ]
    }

    // MARK: Plumbing

    private func authenticated(_ request: Request, body: ByteBuffer, bucket: String, limit: Int, _ handler: @escaping (OAuthServer.Account, Date) async -> Response) async -> Response {
        await record(request, body: body) { now in
            guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
                  let account = await oauth.authenticate(String(header.dropFirst(7)), now: now)
            else { return Self.error(.unauthorized, 2, "Authentication failed.") }
            let counted = await sandbox.countRequest(bucket: "pinterest:\(bucket)", accountID: account.id, limit: limit, window: Self.day, now: now)
            if counted.exceeded { return Self.tooManyRequests(retryAfter: Int(counted.reset.timeIntervalSince(now))) }
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
            rateLimited: { reset in Self.tooManyRequests(retryAfter: max(1, Int(reset.timeIntervalSinceNow))) },
            serverError: Self.error(.internalServerError, 8, "Internal server error."),
            invalidToken: Self.error(.unauthorized, 2, "Authentication failed."),
            expiredToken: Self.error(.unauthorized, 3, "Authorization failed: the access token has expired.")
        )
    }

    static func tooManyRequests(retryAfter: Int) -> Response {
        SandboxJSON.response(["code": 429, "message": "You have exceeded your rate limit. Try again later."], status: .tooManyRequests,
                             headers: [.retryAfter: String(retryAfter), HTTPField.Name("x-ratelimit-reset")!: String(retryAfter)])
    }

    static func error(_ status: HTTPResponse.Status, _ code: Int, _ message: String) -> Response {
        SandboxJSON.response(["code": code, "message": message], status: status)
    }
}
