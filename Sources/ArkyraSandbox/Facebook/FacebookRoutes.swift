import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Facebook's Graph API for Pages as Meta documents it, under `/facebook/v23.0`: the consent page
/// (`/dialog/oauth`), `GET /oauth/access_token` (a code for a user token of two hours, or
/// `grant_type=fb_exchange_token` for one of 60 days), `/me`, `/me/accounts` (the person's Pages with their
/// Page tokens and tasks), and with a Page token: `POST /{page}/feed`, `POST /{page}/photos` (multipart
/// `source`, published or not), `POST /{post}/comments`, `GET /{page}/published_posts`,
/// `GET /{post}/comments`, `GET /{id}` and `DELETE /{id}`. Errors are Graph API errors; a Page may make
/// 4,800 calls a day here (code 32 past that). A Page's Instagram professional account (`instagram_business_account`
/// in `/me/accounts`) is reached through the same API with the Page's token: those calls are answered by the
/// emulated Instagram (``MetaContainerRoutes``).
struct FacebookRoutes {
    let sandbox: SandboxState
    let oauth: OAuthServer
    let state: FacebookState
    /// The emulated Instagram, for the accounts linked to Pages.
    let instagram: (routes: MetaContainerRoutes, oauth: OAuthServer)?
    static let platform = "facebook"
    static let callLimit = 4800
    static let day: TimeInterval = 86_400
    static let maximumMessage = 63_206

    /// Who a token acts as: a person (user token) or one of their Pages (Page token).
    enum Caller { case person(OAuthServer.Account), page(FacebookState.Page) }

    func add(to group: RouterGroup<BasicRequestContext>) {
        let api = group.group("v23.0")
        OAuthEndpoints(server: oauth, consentPath: "/facebook/v23.0/dialog/oauth")
            .add(to: api, consentPath: "dialog/oauth", tokenPath: nil) { request, body, handler in await record(request, body: body, handler) }
        api.get("oauth/access_token") { request, _ in
            await record(request, body: ByteBuffer()) { now in await token(request.uri.queryParameters, now: now) }
        }
        api.get(":id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await authenticated(request, body: ByteBuffer()) { caller, parameters, now in
                if let answer = await instagramAnswer(.get, id: id, edge: nil, caller: caller, parameters, now: now) { return answer }
                return await read(id, caller: caller, parameters)
            }
        }
        api.get(":id/:edge") { request, context in
            let id = context.parameters.get("id") ?? "", edge = context.parameters.get("edge") ?? ""
            // A profile or Page picture is public, as on Facebook (which redirects to its CDN).
            if edge == "picture" { return await record(request, body: ByteBuffer()) { _ in Self.picture } }
            return await authenticated(request, body: ByteBuffer()) { caller, parameters, now in
                if let answer = await instagramAnswer(.get, id: id, edge: edge, caller: caller, parameters, now: now) { return answer }
                return await list(edge, of: id, caller: caller, parameters)
            }
        }
        api.post(":id/:edge") { request, context in
            let id = context.parameters.get("id") ?? "", edge = context.parameters.get("edge") ?? ""
            let body = try await request.body.collect(upTo: 12 * 1024 * 1024)
            return await authenticated(request, body: body) { caller, parameters, now in
                if let answer = await instagramAnswer(.post, id: id, edge: edge, caller: caller, parameters, now: now) { return answer }
                return await create(edge, on: id, caller: caller, parameters, body: body, contentType: request.headers[.contentType], now: now)
            }
        }
        api.delete(":id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await authenticated(request, body: ByteBuffer()) { caller, parameters, now in
                if let answer = await instagramAnswer(.delete, id: id, edge: nil, caller: caller, parameters, now: now) { return answer }
                guard case .page(let page) = caller else { return Self.needsPageToken }
                guard await state.delete(id: id, by: page.id) else { return Self.unsupported(id, "delete") }
                return SandboxJSON.response(["success": true])
            }
        }
    }

    // MARK: Tokens

    private func token(_ query: Parameters, now: Date) async -> Response {
        let field = { (name: String) -> String in query[Substring(name)].map(String.init) ?? "" }
        guard let app = await oauth.apps[field("client_id")], app.clientSecret == nil || app.clientSecret == field("client_secret") else {
            return Self.graphError(.badRequest, code: 1, "Error validating client secret.", type: "OAuthException")
        }
        if field("grant_type") == "fb_exchange_token" {
            guard let (access, _) = await oauth.reissue(field("fb_exchange_token"), lifetime: FacebookState.longLifetime, now: now) else {
                return Self.invalidToken
            }
            return SandboxJSON.response(["access_token": access, "token_type": "bearer", "expires_in": Int(FacebookState.longLifetime)])
        }
        do {
            let issued = try await oauth.exchange(code: field("code"), clientID: app.clientID, redirectURI: field("redirect_uri"), verifier: "", now: now)
            return SandboxJSON.response(["access_token": issued.access, "token_type": "bearer", "expires_in": Int(oauth.policy.accessLifetime)])
        } catch {
            return Self.graphError(.badRequest, code: 100, subcode: 36009, oauth.policy.invalidCode, type: "OAuthException")
        }
    }

    // MARK: Instagram

    /// The emulated Instagram's answer to a Page token's call on the Page's Instagram account or on one of that
    /// account's containers, media or comments; nil for Facebook's own objects.
    private func instagramAnswer(_ method: HTTPRequest.Method, id: String, edge: String?, caller: Caller, _ parameters: [String: String], now: Date) async -> Response? {
        guard let instagram, case .page(let page) = caller, let linked = page.instagramID, id != page.id, id != "me" else { return nil }
        let facebooks = await state.knows(id)
        guard id == linked || !facebooks, let account = await instagram.oauth.account(id: linked) else { return nil }
        return await instagram.routes.answer(method, id: id, edge: edge, parameters, as: account, now: now)
    }

    /// A Page's `instagram_business_account`, as `/me/accounts` gives it.
    private func linkedInstagram(_ page: FacebookState.Page) async -> [String: Any]? {
        guard let id = page.instagramID, let account = await instagram?.oauth.account(id: id) else { return nil }
        return ["id": account.id, "username": account.username, "name": account.name,
                "profile_picture_url": "https://scontent.cdninstagram.com/v/t51/\(account.id).jpg"]
    }

    // MARK: Reading

    private func read(_ id: String, caller: Caller, _ parameters: [String: String]) async -> Response {
        switch (id, caller) {
        case ("me", .person(let person)):
            return SandboxJSON.response(["id": person.id, "name": person.name])
        case ("me", .page(let page)):
            return SandboxJSON.response(["id": page.id, "name": page.name])
        default:
            if let post = await state.post(id: id) {
                var json: [String: Any] = ["id": post.id, "message": post.message, "created_time": Self.graphTimestamp(post.createdAt),
                                           "permalink_url": "https://www.facebook.com/\(post.id)"]
                // Edges asked for with a summary answer their totals (`reactions.summary(total_count).limit(0)`).
                let fields = parameters["fields"] ?? ""
                if fields.contains("shares"), post.shares > 0 { json["shares"] = ["count": post.shares] }
                if fields.contains("reactions.summary") { json["reactions"] = ["data": [] as [Any], "summary": ["total_count": post.reactions, "viewer_reaction": "NONE"]] }
                if fields.contains("comments.summary") {
                    let comments = await state.comments.filter { $0.postID == post.id }.count
                    json["comments"] = ["data": [] as [Any], "summary": ["order": "ranked", "total_count": comments, "can_comment": true]]
                }
                return SandboxJSON.response(json)
            }
            if let photo = await state.photo(id: id) {
                return SandboxJSON.response(["id": photo.id, "name": photo.caption as Any? ?? NSNull(), "alt_text_custom": photo.alt as Any? ?? NSNull()])
            }
            return Self.unsupported(id, "get")
        }
    }

    private func list(_ edge: String, of id: String, caller: Caller, _ parameters: [String: String]) async -> Response {
        let since = parameters["since"].flatMap(Double.init).map { Date(timeIntervalSince1970: $0) } ?? .distantPast
        let limit = min(100, parameters["limit"].flatMap(Int.init) ?? 25)
        switch (edge, caller) {
        case ("accounts", .person(let person)) where id == "me" || id == person.id:
            var pages: [[String: Any]] = []
            for page in await state.pages(of: person.id, name: person.name) {
                var json: [String: Any] = ["id": page.id, "name": page.name, "access_token": page.token, "category": page.category, "tasks": page.tasks,
                                           "category_list": [["id": "2211", "name": page.category]]]
                if (parameters["fields"] ?? "").contains("instagram_business_account"), let linked = await linkedInstagram(page) {
                    json["instagram_business_account"] = linked
                }
                pages.append(json)
            }
            return SandboxJSON.response(["data": pages, "paging": ["cursors": ["before": "QVFI", "after": "QVFJ"]]])
        case ("published_posts", .page(let page)), ("feed", .page(let page)):
            guard id == page.id || id == "me" else { return Self.unsupported(id, "get") }
            let posts = await state.posts.filter { $0.pageID == page.id && $0.createdAt >= since }.reversed().prefix(limit)
            return SandboxJSON.response(["data": posts.map { ["id": $0.id, "message": $0.message, "created_time": Self.graphTimestamp($0.createdAt)] }])
        case ("comments", .page):
            guard await state.post(id: id) != nil else { return Self.unsupported(id, "get") }
            let comments = await state.comments.filter { $0.postID == id && $0.createdAt >= since }.prefix(limit)
            let pages = await state.pages
            return SandboxJSON.response(["data": comments.map { comment -> [String: Any] in
                ["id": comment.id, "message": comment.message, "created_time": Self.graphTimestamp(comment.createdAt),
                 "from": ["id": comment.fromID, "name": pages.first { $0.id == comment.fromID }?.name ?? ""]]
            }])
        case ("accounts", _), ("published_posts", _), ("feed", _), ("comments", _):
            return Self.needsPageToken
        default:
            return Self.graphError(.badRequest, code: 100, "Tried accessing nonexisting field (\(edge)) on node type (Page)")
        }
    }

    // MARK: Posting

    private func create(_ edge: String, on id: String, caller: Caller, _ parameters: [String: String], body: ByteBuffer, contentType: String?, now: Date) async -> Response {
        guard case .page(let page) = caller else { return Self.needsPageToken }
        guard page.tasks.contains("CREATE_CONTENT") else {
            return Self.graphError(.forbidden, code: 200, "(#200) The user must have the CREATE_CONTENT task on the Page to publish")
        }
        let message = parameters["message"] ?? ""
        if message.count > Self.maximumMessage { return Self.graphError(.badRequest, code: 100, "(#100) The message is too long (at most 63206 characters)") }
        switch edge {
        case "feed":
            guard id == page.id || id == "me" else { return Self.unsupported(id, "post") }
            var photoIDs: [String] = []
            for (key, value) in parameters.sorted(by: { $0.key < $1.key }) where key.hasPrefix("attached_media[") {
                guard let object = SandboxJSON.parameters(ByteBuffer(string: value), contentType: "application/json"), let photoID = object["media_fbid"] as? String,
                      let photo = await state.photo(id: photoID), photo.pageID == page.id, !photo.published
                else { return Self.graphError(.badRequest, code: 100, "(#100) attached_media: \(value) is not an unpublished photo of this Page") }
                photoIDs.append(photoID)
            }
            guard !message.isEmpty || !photoIDs.isEmpty else { return Self.graphError(.badRequest, code: 100, "(#100) Missing message or attachment") }
            return SandboxJSON.response(["id": await state.addPost(page: page.id, message: message, photoIDs: photoIDs, now: now).id])
        case "photos":
            guard id == page.id || id == "me" else { return Self.unsupported(id, "post") }
            guard let file = SandboxMultipart.parts(body, contentType: contentType)?.first(where: { $0.name == "source" }),
                  let type = SandboxMediaType.image(file.data)
            else { return Self.graphError(.badRequest, code: 324, "(#324) Requires upload file: a JPEG, PNG, GIF or WebP image in source") }
            guard file.data.count <= 10 * 1024 * 1024 else { return Self.graphError(.badRequest, code: 100, "(#100) The image is larger than 10 MB") }
            let published = parameters["published"] != "false"
            let photo = await state.addPhoto(page: page.id, contentType: type, bytes: file.data.count, caption: parameters["message"] ?? parameters["caption"],
                                             alt: parameters["alt_text_custom"], published: false)
            guard published else { return SandboxJSON.response(["id": photo.id]) }
            let post = await state.addPost(page: page.id, message: message, photoIDs: [photo.id], now: now)
            return SandboxJSON.response(["id": photo.id, "post_id": post.id])
        case "videos":
            guard id == page.id || id == "me" else { return Self.unsupported(id, "post") }
            return await video(parameters, page: page, body: body, contentType: contentType, now: now)
        case "comments":
            guard await state.post(id: id) != nil else { return Self.unsupported(id, "post") }
            guard !message.isEmpty else { return Self.graphError(.badRequest, code: 100, "(#100) Missing message") }
            return SandboxJSON.response(["id": await state.addComment(on: id, from: page.id, message: message, now: now).id])
        default:
            return Self.unsupported("\(id)/\(edge)", "post")
        }
    }

    /// The resumable upload's three phases; chunks of 4 MiB are asked for.
    private func video(_ parameters: [String: String], page: FacebookState.Page, body: ByteBuffer, contentType: String?, now: Date) async -> Response {
        let chunk = 4 * 1024 * 1024
        switch parameters["upload_phase"] {
        case "start":
            guard let size = parameters["file_size"].flatMap(Int.init), size > 0, size <= 10 * 1024 * 1024 * 1024 else {
                return Self.graphError(.badRequest, code: 100, "(#100) file_size must be between 1 byte and 10 GB")
            }
            let upload = await state.startUpload(page: page.id, size: size)
            return SandboxJSON.response(["video_id": upload.videoID, "upload_session_id": upload.sessionID, "start_offset": "0", "end_offset": String(min(size, chunk))])
        case "transfer":
            guard let file = SandboxMultipart.parts(body, contentType: contentType)?.first(where: { $0.name == "video_file_chunk" }),
                  let offset = parameters["start_offset"].flatMap(Int.init),
                  let upload = await state.receive(session: parameters["upload_session_id"] ?? "", offset: offset, bytes: file.data)
            else { return Self.graphError(.badRequest, code: 6000, "There was a problem uploading your video file. Please try again with another file.", type: "OAuthException") }
            let end = min(upload.size, upload.received + chunk)
            return SandboxJSON.response(["start_offset": String(upload.received), "end_offset": String(end)])
        case "finish":
            let session = parameters["upload_session_id"] ?? ""
            guard let upload = await state.upload(session: session), upload.pageID == page.id else {
                return Self.graphError(.badRequest, code: 100, "(#100) Invalid upload_session_id")
            }
            guard SandboxMediaType.video(upload.head) != nil else {
                return Self.graphError(.badRequest, code: 352, "(#352) Sorry, the video file you selected is in a format that we don't support.")
            }
            guard await state.finish(session: session, description: parameters["description"] ?? "", now: now) != nil else {
                return Self.graphError(.badRequest, code: 6001, "(#6001) The upload is not complete: \(upload.received) of \(upload.size) bytes arrived")
            }
            return SandboxJSON.response(["success": true])
        default:
            return Self.graphError(.badRequest, code: 100, "(#100) Non-resumable video uploads are not emulated: send upload_phase=start, transfer, finish")
        }
    }

    // MARK: Plumbing

    /// Reads the token (`access_token` in the query or a form body, or a bearer header) as a person's or a
    /// Page's, counts the call, applies faults, runs `handler` with the parameters and records the exchange.
    private func authenticated(_ request: Request, body: ByteBuffer, _ handler: @escaping (Caller, [String: String], Date) async -> Response) async -> Response {
        await record(request, body: body) { now in
            var parameters: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
            let contentType = request.headers[.contentType]
            if let parts = SandboxMultipart.parts(body, contentType: contentType) {
                for part in parts where part.filename == nil { parameters[part.name] = String(decoding: part.data, as: UTF8.self) }
            } else {
                for (key, value) in SandboxJSON.parameters(body, contentType: contentType ?? "application/x-www-form-urlencoded") ?? [:] {
                    parameters[key] = value as? String ?? "\(value)"
                }
            }
            var token = parameters["access_token"]
            if let header = request.headers[.authorization], header.hasPrefix("Bearer ") { token = String(header.dropFirst(7)) }
            guard let token else { return Self.graphError(.badRequest, code: 2500, "An active access token must be used to query information about the current user.", type: "OAuthException") }
            let caller: Caller
            if let page = await state.page(token: token) {
                caller = .page(page)
            } else if let person = await oauth.authenticate(token, now: now) {
                caller = .person(person)
            } else {
                return Self.invalidToken
            }
            let subject = switch caller { case .page(let page): page.id; case .person(let person): person.id }
            if await sandbox.countRequest(bucket: "facebook:calls", accountID: subject, limit: Self.callLimit, window: Self.day, now: now).exceeded {
                return Self.pageLimit
            }
            return await faults.answer(await sandbox.takeFault(platform: Self.platform, path: request.uri.path), now: now) {
                await handler(caller, parameters, now)
            }
        }
    }

    private func record(_ request: Request, body: ByteBuffer, _ handler: (Date) async -> Response) async -> Response {
        let now = Date()
        let response = await handler(now)
        let text = body.readableBytes > 4096 ? "(\(body.readableBytes) bytes)" : String(buffer: body)
        await sandbox.record(RecordedRequest(
            platform: Self.platform, method: request.method.rawValue, path: request.uri.path, idempotencyKey: nil,
            body: text, status: Int(response.status.code), receivedAt: now
        ))
        return response
    }

    private var faults: FaultResponses {
        FaultResponses(
            rateLimited: { _ in Self.pageLimit },
            serverError: Self.graphError(.internalServerError, code: 2, transient: true, "An unexpected error has occurred. Please retry your request later."),
            invalidToken: Self.invalidToken,
            expiredToken: Self.graphError(.badRequest, code: 190, subcode: 463, "Error validating access token: Session has expired.", type: "OAuthException")
        )
    }

    /// A 1×1 PNG.
    static var picture: Response {
        let png = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")!
        return Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(bytes: png)))
    }

    static let invalidToken = graphError(.badRequest, code: 190, "Invalid OAuth access token - Cannot parse access token", type: "OAuthException")
    static let pageLimit = graphError(.badRequest, code: 32, transient: true, "(#32) Page request limit reached")
    static let needsPageToken = graphError(.forbidden, code: 200, "(#200) This endpoint requires a Page access token with pages_manage_posts")

    static func unsupported(_ id: String, _ verb: String) -> Response {
        graphError(.badRequest, code: 100, subcode: 33,
                   "Unsupported \(verb) request. Object with ID '\(id)' does not exist, cannot be loaded due to missing permissions, or does not support this operation")
    }

    static func graphError(_ status: HTTPResponse.Status, code: Int, subcode: Int? = nil, transient: Bool = false, _ message: String, type: String = "GraphMethodException") -> Response {
        var error: [String: Any] = ["message": message, "type": type, "code": code, "fbtrace_id": OAuthServer.random(11), "is_transient": transient]
        if let subcode { error["error_subcode"] = subcode }
        return SandboxJSON.response(["error": error], status: status)
    }

    static func graphTimestamp(_ date: Date) -> String { MetaContainerRoutes.graphTimestamp(date) }
}
