import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The Threads API and Instagram's API with Instagram Login as Meta documents them, under `/threads` and
/// `/instagram` (``MetaDialect`` says where they differ): the consent page (`/oauth/authorize`), the code
/// exchange (`POST /oauth/access_token`: a token of an hour and the user id), the long-lived token
/// (`GET /access_token?grant_type=th_exchange_token|ig_exchange_token`, 60 days) and its renewal
/// (`GET /refresh_access_token`); under the version: the profile (`/me`), media containers
/// (`POST /{user}/threads|media`, their status at `GET /{container}`), publishing
/// (`POST /{user}/threads_publish|media_publish`), the account's posts (and Threads' replies), comments
/// (Instagram), a post's fields and `DELETE`. Tokens come as `access_token` (query or form) or a bearer
/// header. Errors are Graph API errors (`{"error": {message, type, code, error_subcode?, fbtrace_id}}`).
struct MetaContainerRoutes {
    let sandbox: SandboxState
    let oauth: OAuthServer
    let state: MetaContainerState
    let dialect: MetaDialect
    static let callLimit = 4800
    static let day: TimeInterval = 86_400

    func add(to group: RouterGroup<BasicRequestContext>) {
        OAuthEndpoints(server: oauth, consentPath: "/\(dialect.platform)/oauth/authorize")
            .add(to: group, consentPath: "oauth/authorize", tokenPath: nil) { request, body, handler in await record(request, body: body, handler) }
        group.post("oauth/access_token") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            return await record(request, body: body) { now in await exchangeCode(request, body: body, now: now) }
        }
        group.get("access_token") { request, _ in
            await record(request, body: ByteBuffer()) { now in await longLived(request.uri.queryParameters, renewing: false, now: now) }
        }
        group.get("refresh_access_token") { request, _ in
            await record(request, body: ByteBuffer()) { now in await longLived(request.uri.queryParameters, renewing: true, now: now) }
        }
        let api = group.group(RouterPath(dialect.version))
        api.get(":id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await authenticated(request, body: ByteBuffer()) { account, parameters, now in
                await answer(.get, id: id, edge: nil, parameters, as: account, now: now)
            }
        }
        api.delete(":id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await authenticated(request, body: ByteBuffer()) { account, parameters, now in
                await answer(.delete, id: id, edge: nil, parameters, as: account, now: now)
            }
        }
        api.post(":id/:edge") { request, context in
            let id = context.parameters.get("id") ?? "", edge = context.parameters.get("edge") ?? ""
            let body = try await request.body.collect(upTo: 1024 * 1024)
            return await authenticated(request, body: body) { account, parameters, now in
                await answer(.post, id: id, edge: edge, parameters, as: account, now: now)
            }
        }
        api.get(":id/:edge") { request, context in
            let id = context.parameters.get("id") ?? "", edge = context.parameters.get("edge") ?? ""
            return await authenticated(request, body: ByteBuffer()) { account, parameters, now in
                await answer(.get, id: id, edge: edge, parameters, as: account, now: now)
            }
        }
    }

    /// Answers a Graph call on `id` (and its `edge`) for `account`, its token checked. Facebook's Graph API
    /// hands the calls for an Instagram account linked to a Page here too.
    func answer(_ method: HTTPRequest.Method, id: String, edge: String?, _ parameters: [String: String], as account: OAuthServer.Account, now: Date) async -> Response {
        switch (method, edge) {
        case (.get, nil):
            return await read(id, parameters: parameters, as: account, now: now)
        case (.delete, nil):
            guard await state.delete(post: id, owner: account.id) else { return Self.unsupported(id, "delete") }
            return SandboxJSON.response(["success": true, "deleted_id": id])
        case (.post, let edge?):
            if dialect.comments, edge == "comments" { return await comment(on: id, parameters, as: account, now: now) }
            guard id == account.id || id == "me" else { return Self.unsupported(id, "post") }
            switch edge {
            case dialect.create: return await createContainer(parameters, as: account, now: now)
            case dialect.publish: return await publish(parameters["creation_id"] ?? "", as: account, now: now)
            default: return Self.unsupported("\(id)/\(edge)", "post")
            }
        case (.get, let edge?):
            if dialect.comments, edge == "comments" { return await listComments(of: id, parameters) }
            if edge == "insights" { return await insights(of: id, parameters, as: account) }
            guard id == account.id || id == "me", edge == dialect.list || edge == dialect.replies else { return Self.unsupported("\(id)/\(edge)", "get") }
            return await list(replies: edge == dialect.replies, parameters, as: account)
        default:
            return Self.unsupported(id, method.rawValue.lowercased())
        }
    }

    // MARK: Tokens

    private func exchangeCode(_ request: Request, body: ByteBuffer, now: Date) async -> Response {
        let form = SandboxJSON.parameters(body, contentType: request.headers[.contentType]) ?? [:]
        let field = { (name: String) in form[name] as? String ?? "" }
        guard let app = await oauth.apps[field("client_id")], app.clientSecret == nil || app.clientSecret == field("client_secret") else {
            return Self.graphError(.badRequest, code: 101, "Error validating client secret.")
        }
        guard field("grant_type") == "authorization_code" else {
            return Self.graphError(.badRequest, code: 100, "Unsupported grant_type")
        }
        do {
            let issued = try await oauth.exchange(code: field("code"), clientID: app.clientID, redirectURI: field("redirect_uri"), verifier: "", now: now)
            let token: [String: Any] = ["access_token": issued.access, "user_id": Int(issued.token.accountID) ?? 0]
            guard dialect.codeAnswerInData else { return SandboxJSON.response(token) }
            return SandboxJSON.response(["data": [token.merging(["permissions": issued.token.scope, "user_id": issued.token.accountID]) { $1 }]])
        } catch {
            return Self.graphError(.badRequest, code: 100, subcode: 36007, oauth.policy.invalidCode)
        }
    }

    /// Trades a valid short-lived token (with the app's secret) for a long-lived one, or renews a long-lived
    /// one that is at least a day old and not expired.
    private func longLived(_ query: Parameters, renewing: Bool, now: Date) async -> Response {
        let token = query["access_token"].map(String.init) ?? ""
        if renewing {
            guard query["grant_type"].map(String.init) == dialect.refreshGrant else { return Self.graphError(.badRequest, code: 100, "Unsupported grant_type") }
            guard let issued = await state.issueDate(ofLongLived: token), await oauth.authenticate(token, now: now) != nil else {
                return Self.expiredTokenResponse
            }
            guard now.timeIntervalSince(issued) >= Self.day else {
                return Self.graphError(.badRequest, code: 100, "Long-lived tokens can be refreshed once they are at least 24 hours old")
            }
        } else {
            guard query["grant_type"].map(String.init) == dialect.exchangeGrant else { return Self.graphError(.badRequest, code: 100, "Unsupported grant_type") }
            guard let secret = query["client_secret"], await oauth.apps.values.contains(where: { $0.clientSecret == String(secret) }) else {
                return Self.graphError(.badRequest, code: 101, "Error validating client secret.")
            }
        }
        guard let (access, _) = await oauth.reissue(token, lifetime: MetaContainerState.longLifetime, now: now) else { return Self.invalidTokenResponse }
        await state.issuedLongLived(access, at: now)
        return SandboxJSON.response(["access_token": access, "token_type": "bearer", "expires_in": Int(MetaContainerState.longLifetime)])
    }

    // MARK: Reading

    private func read(_ id: String, parameters: [String: String], as account: OAuthServer.Account, now: Date) async -> Response {
        let fields = Set((parameters["fields"] ?? "id").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        if id == "me" || id == account.id {
            var profile: [String: Any] = ["id": account.id]
            if fields.contains("username") { profile["username"] = account.username }
            if fields.contains("name") { profile["name"] = account.name }
            if fields.contains(dialect.profilePicture) { profile[dialect.profilePicture] = "https://scontent.cdninstagram.com/v/t51/\(account.id).jpg" }
            if fields.contains("user_id") { profile["user_id"] = account.id }
            if fields.contains("account_type") { profile["account_type"] = "BUSINESS" }
            return SandboxJSON.response(profile)
        }
        if let post = await state.post(id: id) {
            guard post.ownerID == account.id else { return Self.unsupported(id, "get") }
            return SandboxJSON.response(postJSON(post, fields: fields))
        }
        if let container = await state.container(id: id), container.ownerID == account.id, let (status, error) = await state.status(of: id, now: now) {
            var answer: [String: Any] = ["id": id]
            if fields.contains(dialect.statusField) { answer[dialect.statusField] = status.rawValue }
            if fields.contains("error_message"), let error { answer["error_message"] = error }
            return SandboxJSON.response(answer)
        }
        return Self.unsupported(id, "get")
    }

    private func list(replies: Bool, _ parameters: [String: String], as account: OAuthServer.Account) async -> Response {
        let fields = Set((parameters["fields"] ?? "id").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        let since = parameters["since"].flatMap(Double.init).map { Date(timeIntervalSince1970: $0) } ?? .distantPast
        let limit = min(100, parameters["limit"].flatMap(Int.init) ?? 25)
        let posts = await state.posts.filter { $0.ownerID == account.id && ($0.replyTo != nil) == replies && $0.timestamp >= since }
        return SandboxJSON.response(["data": posts.reversed().prefix(limit).map { postJSON($0, fields: fields) }, "paging": [:] as [String: Any]])
    }

    private func postJSON(_ post: MetaContainerState.Post, fields: Set<String>) -> [String: Any] {
        let mediaType = post.mediaType == "CAROUSEL" ? "CAROUSEL_ALBUM" : post.mediaType == "TEXT" ? "TEXT_POST" : post.mediaType == "REELS" ? "VIDEO" : post.mediaType
        let all: [String: Any] = [
            "id": post.id, "media_product_type": dialect.platform == "threads" ? "THREADS" : post.mediaType == "REELS" ? "REELS" : "FEED", "media_type": mediaType,
            "permalink": dialect.permalink(post.username, post.shortcode), "owner": ["id": post.ownerID], "username": post.username,
            dialect.textField: post.text as Any? ?? NSNull(), "timestamp": Self.graphTimestamp(post.timestamp), "shortcode": post.shortcode, "is_quote_post": false,
            "media_url": post.media.first?["url"] as Any? ?? NSNull(), "alt_text": post.media.first?["alt_text"] as Any? ?? NSNull(),
        ]
        var answer: [String: Any] = ["id": post.id]
        for field in fields { if let value = all[field], !(value is NSNull) { answer[field] = value } }
        return answer
    }

    /// Graph timestamps: `2026-12-04T20:00:00+0000`.
    static func graphTimestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ssZ"
        return formatter.string(from: date)
    }

    // MARK: Posting

    private func createContainer(_ parameters: [String: String], as account: OAuthServer.Account, now: Date) async -> Response {
        // Instagram's images need no media_type.
        let mediaType = parameters["media_type"] ?? (parameters["image_url"] != nil && !dialect.textPosts ? "IMAGE" : "")
        let text = parameters[dialect.textField]
        let isItem = parameters["is_carousel_item"] == "true"
        let types = (dialect.textPosts ? ["TEXT"] : []) + ["IMAGE", dialect.videoType, "VIDEO", "CAROUSEL"]
        guard types.contains(mediaType) else {
            return Self.graphError(.badRequest, code: 100, "The parameter media_type is required and must be one of \(types.joined(separator: ", ")).")
        }
        if let text, dialect.length(text) > dialect.maximumText {
            return Self.graphError(.badRequest, code: 100, subcode: 4279009, "The \(dialect.textField) is longer than \(dialect.maximumText) characters.")
        }
        if let text, let problem = dialect.textProblem(text) {
            return Self.graphError(.badRequest, code: 100, problem)
        }
        var mediaURL: String?
        var children: [String] = []
        switch mediaType {
        case "TEXT":
            guard let text, !text.isEmpty else { return Self.graphError(.badRequest, code: 100, "The parameter text is required for media_type=TEXT.") }
            guard !isItem else { return Self.graphError(.badRequest, code: 100, "A carousel item must be an IMAGE or a VIDEO.") }
        case "IMAGE", "VIDEO", dialect.videoType:
            let name = mediaType == "IMAGE" ? "image_url" : "video_url"
            guard let url = parameters[name], let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? "") else {
                return Self.graphError(.badRequest, code: 100, "The parameter \(name) is required for media_type=\(mediaType).")
            }
            mediaURL = url
        default:
            children = (parameters["children"] ?? "").split(separator: ",").map(String.init)
            guard (2...20).contains(children.count) else {
                return Self.graphError(.badRequest, code: 100, "A carousel needs from 2 to 20 children.")
            }
            for child in children {
                guard let item = await state.container(id: child), item.ownerID == account.id, item.isCarouselItem else {
                    return Self.graphError(.badRequest, code: 100, "Child \(child) is not a carousel item container of this user.")
                }
                guard await state.status(of: child, now: now)?.0 == .finished else {
                    return Self.graphError(.badRequest, code: 100, subcode: 2207027, "Child \(child) is not finished processing.")
                }
            }
        }
        let replyTo = dialect.replyField.flatMap { parameters[$0] }
        if let replyTo, await state.post(id: replyTo) == nil {
            return Self.graphError(.badRequest, code: 100, "The post to reply to (\(replyTo)) does not exist.")
        }
        let container = await state.createContainer(
            owner: account.id, mediaType: mediaType, text: isItem ? nil : text, mediaURL: mediaURL, altText: parameters["alt_text"],
            replyTo: isItem ? nil : replyTo, isCarouselItem: isItem, children: children, now: now
        )
        return SandboxJSON.response(["id": container.id])
    }

    private func publish(_ creationID: String, as account: OAuthServer.Account, now: Date) async -> Response {
        let counted = await sandbox.countRequest(bucket: "\(dialect.platform):publish", accountID: account.id, limit: dialect.postLimit, window: Self.day, now: now)
        if counted.exceeded {
            return Self.graphError(.badRequest, code: 9, subcode: 2207042,
                                   "You reached the maximum number of posts (\(dialect.postLimit)) a profile may publish through the API in 24 hours.")
        }
        do throws(MetaContainerState.PublishError) {
            let post = try await state.publish(container: creationID, owner: account.id, username: account.username, now: now)
            return SandboxJSON.response(["id": post.id])
        } catch .notReady {
            return Self.graphError(.badRequest, code: 9007, subcode: 2207027, "Media ID is not available: the media is not ready for publishing, please wait for a moment")
        } catch .alreadyPublished {
            return Self.graphError(.badRequest, code: 100, subcode: 2207008, "The media has already been published")
        } catch .failed {
            return Self.graphError(.badRequest, code: 100, subcode: 2207001, "The media could not be processed; check the container's status")
        } catch {
            return Self.graphError(.badRequest, code: 100, subcode: 33, "Unsupported post request. Object with ID '\(creationID)' does not exist, cannot be loaded due to missing permissions, or does not support this operation")
        }
    }

    // MARK: Insights

    /// `GET /{media}/insights?metric=…`: each metric's lifetime value (replies or comments counted from those there are).
    private func insights(of id: String, _ parameters: [String: String], as account: OAuthServer.Account) async -> Response {
        guard let post = await state.post(id: id), post.ownerID == account.id else { return Self.unsupported("\(id)/insights", "get") }
        let asked = (parameters["metric"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !asked.isEmpty, asked.allSatisfy(dialect.insightMetrics.contains) else {
            return Self.graphError(.badRequest, code: 100, "(#100) metric[0] must be one of the following values: \(dialect.insightMetrics.joined(separator: ", "))")
        }
        let replies = await state.posts.filter { $0.replyTo == id }.count + (await state.comments.filter { $0.mediaID == id }.count)
        let data = asked.map { name -> [String: Any] in
            let value = name == dialect.repliesMetric ? replies : post.insights[name] ?? 0
            return ["name": name, "period": "lifetime", "values": [["value": value]], "title": name.capitalized, "id": "\(id)/insights/\(name)/lifetime"]
        }
        return SandboxJSON.response(["data": data])
    }

    // MARK: Comments (Instagram)

    private func comment(on mediaID: String, _ parameters: [String: String], as account: OAuthServer.Account, now: Date) async -> Response {
        guard await state.post(id: mediaID) != nil else { return Self.unsupported(mediaID, "post") }
        guard let message = parameters["message"], !message.isEmpty else { return Self.graphError(.badRequest, code: 100, "The parameter message is required.") }
        guard message.count <= dialect.maximumText else { return Self.graphError(.badRequest, code: 100, "The comment is longer than \(dialect.maximumText) characters.") }
        return SandboxJSON.response(["id": await state.addComment(on: mediaID, from: account.id, username: account.username, text: message, now: now).id])
    }

    private func listComments(of mediaID: String, _ parameters: [String: String]) async -> Response {
        guard await state.post(id: mediaID) != nil else { return Self.unsupported(mediaID, "get") }
        let comments = await state.comments.filter { $0.mediaID == mediaID }
        return SandboxJSON.response(["data": comments.map { comment -> [String: Any] in
            ["id": comment.id, "text": comment.text, "timestamp": Self.graphTimestamp(comment.timestamp), "from": ["id": comment.fromID, "username": comment.username]]
        }])
    }

    // MARK: Plumbing

    /// Checks the token, counts the call in the account's day, applies injected faults, runs `handler` with
    /// the request's parameters (query and form body together) and records the exchange.
    private func authenticated(
        _ request: Request, body: ByteBuffer,
        _ handler: @escaping (OAuthServer.Account, [String: String], Date) async -> Response
    ) async -> Response {
        await record(request, body: body) { now in
            var parameters: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
            for (key, value) in SandboxJSON.parameters(body, contentType: request.headers[.contentType] ?? "application/x-www-form-urlencoded") ?? [:] {
                parameters[key] = value as? String ?? "\(value)"
            }
            var token = parameters["access_token"]
            if let header = request.headers[.authorization], header.hasPrefix("Bearer ") { token = String(header.dropFirst(7)) }
            guard let token else { return Self.graphError(.badRequest, code: 2500, "An active access token must be used to query information about the current user.") }
            guard let account = await oauth.authenticate(token, now: now) else { return Self.invalidTokenResponse }
            let counted = await sandbox.countRequest(bucket: "\(dialect.platform):calls", accountID: account.id, limit: Self.callLimit, window: Self.day, now: now)
            if counted.exceeded { return Self.callLimitResponse }
            return await faults.answer(await sandbox.takeFault(platform: dialect.platform, path: request.uri.path), now: now) {
                await handler(account, parameters, now)
            }
        }
    }

    private func record(_ request: Request, body: ByteBuffer, _ handler: (Date) async -> Response) async -> Response {
        let now = Date()
        let response = await handler(now)
        await sandbox.record(RecordedRequest(
            platform: dialect.platform, method: request.method.rawValue, path: request.uri.path, idempotencyKey: nil,
            body: String(buffer: body), status: Int(response.status.code), receivedAt: now
        ))
        return response
    }

    private var faults: FaultResponses {
        FaultResponses(
            rateLimited: { _ in Self.callLimitResponse },
            serverError: Self.graphError(.internalServerError, code: 2, transient: true, "An unexpected error has occurred. Please retry your request later."),
            invalidToken: Self.invalidTokenResponse,
            expiredToken: Self.expiredTokenResponse
        )
    }

    static let invalidTokenResponse = graphError(.badRequest, code: 190, "Invalid OAuth access token - Cannot parse access token")
    static let expiredTokenResponse = graphError(.badRequest, code: 190, subcode: 463, "Error validating access token: Session has expired.")
    static let callLimitResponse = graphError(.badRequest, code: 4, transient: true, "Application request limit reached")

    static func unsupported(_ id: String, _ verb: String) -> Response {
        graphError(.badRequest, code: 100, subcode: 33,
                   "Unsupported \(verb) request. Object with ID '\(id)' does not exist, cannot be loaded due to missing permissions, or does not support this operation")
    }

    static func graphError(_ status: HTTPResponse.Status, code: Int, subcode: Int? = nil, transient: Bool = false, _ message: String) -> Response {
        var error: [String: Any] = ["message": message, "type": code == 190 ? "OAuthException" : "THApiException", "code": code,
                                    "fbtrace_id": OAuthServer.random(11), "is_transient": transient]
        if let subcode { error["error_subcode"] = subcode }
        return SandboxJSON.response(["error": error], status: status)
    }
}
