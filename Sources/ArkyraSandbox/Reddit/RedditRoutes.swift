import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Reddit's API as its documentation describes it, under `/reddit`: the consent page (`/api/v1/authorize`)
/// and token endpoint (`/api/v1/access_token`, Basic client authentication), and under `/reddit/oauth`
/// (oauth.reddit.com): `/api/v1/me`, `/subreddits/mine/subscriber`, `POST /api/submit`, `POST /api/comment`,
/// `POST /api/del`, `/api/info`, `/user/{name}/submitted` and `/user/{name}/comments`. Refusals of
/// submissions are HTTP 200 with `{"json": {"errors": [[code, message, field]]}}`; every answer carries
/// `X-Ratelimit-Used/Remaining/Reset`; an account submits at most 10 posts in 10 minutes here (`RATELIMIT`).
struct RedditRoutes {
    let sandbox: SandboxState
    let oauth: OAuthServer
    let state: RedditState
    static let platform = "reddit"
    static let window: TimeInterval = 600
    static let callLimit = 1000
    static let postLimit = 10

    func add(to group: RouterGroup<BasicRequestContext>) {
        OAuthEndpoints(server: oauth, consentPath: "/reddit/api/v1/authorize")
            .add(to: group, consentPath: "api/v1/authorize", tokenPath: "api/v1/access_token") { request, body, handler in await record(request, body: body, handler) }
        let api = group.group("oauth")
        api.get("api/v1/me") { request, _ in
            await authenticated(request, body: ByteBuffer()) { account, _, _ in
                SandboxJSON.response(["name": account.username, "id": account.id, "icon_img": "https://styles.redditmedia.com/\(account.id).png?width=256",
                                      "total_karma": 1, "created_utc": 1_600_000_000])
            }
        }
        api.get("subreddits/mine/subscriber") { request, _ in
            await authenticated(request, body: ByteBuffer()) { account, _, _ in
                let children = await state.subreddits(of: account.username).map { name -> [String: Any] in
                    ["kind": "t5", "data": ["display_name": name, "display_name_prefixed": "r/\(name)", "subreddit_type": "public"]]
                }
                return SandboxJSON.response(Self.listing(children))
            }
        }
        api.post("api/submit") { request, _ in
            let body = try await request.body.collect(upTo: 256 * 1024)
            return await authenticated(request, body: body) { account, form, now in await submit(form, as: account, now: now) }
        }
        api.post("api/comment") { request, _ in
            let body = try await request.body.collect(upTo: 256 * 1024)
            return await authenticated(request, body: body) { account, form, now in await comment(form, as: account, now: now) }
        }
        api.post("api/del") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            return await authenticated(request, body: body) { account, form, _ in
                await state.delete(name: form["id"] ?? "", author: account.username)
                return SandboxJSON.response([String: Any]())
            }
        }
        api.get("api/info") { request, _ in
            await authenticated(request, body: ByteBuffer()) { _, form, _ in
                var children: [[String: Any]] = []
                for name in (form["id"] ?? "").split(separator: ",").map(String.init) {
                    if let thing = await state.thing(name: name) { children.append(await thingJSON(thing)) }
                }
                return SandboxJSON.response(Self.listing(children))
            }
        }
        for edge in ["submitted", "comments"] {
            api.get(RouterPath("user/:name/\(edge)")) { request, context in
                let name = context.parameters.get("name") ?? ""
                return await authenticated(request, body: ByteBuffer()) { _, _, _ in
                    let kind = edge == "submitted" ? "t3_" : "t1_"
                    var children: [[String: Any]] = []
                    for thing in await state.things.reversed() where thing.author == name && thing.name.hasPrefix(kind) { children.append(await thingJSON(thing)) }
                    return SandboxJSON.response(Self.listing(children))
                }
            }
        }
    }

    private func submit(_ form: [String: String], as account: OAuthServer.Account, now: Date) async -> Response {
        let subreddit = form["sr"] ?? ""
        let own = "u_\(account.username)"
        let joined = await state.subreddits(of: account.username)
        guard subreddit == own || joined.contains(subreddit) else {
            return Self.errors([["SUBREDDIT_NOEXIST", "that subreddit doesn't exist", "sr"]])
        }
        guard form["kind"] == "self" || form["kind"] == "link" else { return Self.errors([["INVALID_OPTION", "that option is not valid", "kind"]]) }
        let title = form["title"] ?? ""
        if title.trimmingCharacters(in: .whitespaces).isEmpty { return Self.errors([["NO_TEXT", "we need something here", "title"]]) }
        if title.count > 300 { return Self.errors([["TOO_LONG", "this is too long (max: 300)", "title"]]) }
        let text = form["text"] ?? ""
        if text.count > 40_000 { return Self.errors([["TOO_LONG", "this is too long (max: 40000)", "text"]]) }
        let posted = await sandbox.countRequest(bucket: "reddit:submit", accountID: account.id, limit: Self.postLimit, window: Self.window, now: now)
        if posted.exceeded {
            let minutes = max(1, Int(posted.reset.timeIntervalSince(now) / 60))
            return Self.errors([["RATELIMIT", "Looks like you've been doing that a lot. Take a break for \(minutes) minutes before trying again.", "ratelimit"]])
        }
        let thing = await state.add(author: account.username, subreddit: subreddit, title: title, text: text, kind: "t3", linkID: nil, parentID: nil, now: now)
        let id = thing.name.dropFirst(3)
        return SandboxJSON.response(["json": ["errors": [Any](), "data": [
            "url": "https://www.reddit.com/r/\(subreddit)/comments/\(id)/", "drafts_count": 0, "id": String(id), "name": thing.name,
        ]]])
    }

    private func comment(_ form: [String: String], as account: OAuthServer.Account, now: Date) async -> Response {
        guard let parentName = form["thing_id"], let parent = await state.thing(name: parentName) else {
            return Self.errors([["DELETED_LINK", "the link you are commenting on has been deleted", "thing_id"]])
        }
        let text = form["text"] ?? ""
        if text.trimmingCharacters(in: .whitespaces).isEmpty { return Self.errors([["NO_TEXT", "we need something here", "text"]]) }
        let link = parent.linkID ?? parent.name
        let thing = await state.add(author: account.username, subreddit: parent.subreddit, title: nil, text: text, kind: "t1", linkID: link, parentID: parent.name, now: now)
        return SandboxJSON.response(["json": ["errors": [Any](), "data": ["things": [["kind": "t1", "data": await thingJSON(thing)["data"] ?? [:]]]]]])
    }

    private func thingJSON(_ thing: RedditState.Thing) async -> [String: Any] {
        let id = String(thing.name.dropFirst(3))
        let postID = (thing.linkID ?? thing.name).dropFirst(3)
        var data: [String: Any] = [
            "name": thing.name, "id": id, "author": thing.author, "subreddit": thing.subreddit, "created_utc": thing.createdAt.timeIntervalSince1970,
            "ups": thing.ups, "score": thing.ups, "permalink": "/r/\(thing.subreddit)/comments/\(postID)/" + (thing.linkID == nil ? "" : "_/\(id)/"),
        ]
        if thing.linkID == nil {
            data["title"] = thing.title ?? ""
            data["selftext"] = thing.text
            data["url"] = "https://www.reddit.com/r/\(thing.subreddit)/comments/\(id)/"
            data["num_comments"] = await state.things.filter { $0.linkID == thing.name }.count
        } else {
            data["body"] = thing.text
            data["link_id"] = thing.linkID ?? ""
            data["parent_id"] = thing.parentID ?? ""
        }
        return ["kind": thing.linkID == nil ? "t3" : "t1", "data": data]
    }

    static func listing(_ children: [[String: Any]]) -> [String: Any] {
        ["kind": "Listing", "data": ["after": NSNull(), "before": NSNull(), "dist": children.count, "children": children]]
    }

    static func errors(_ errors: [[String]]) -> Response {
        SandboxJSON.response(["json": ["errors": errors]])
    }

    // MARK: Plumbing

    /// Checks the token and the `User-Agent` Reddit asks for, counts the call, applies faults, runs `handler`
    /// with the query and form parameters and records the exchange.
    private func authenticated(_ request: Request, body: ByteBuffer, _ handler: @escaping (OAuthServer.Account, [String: String], Date) async -> Response) async -> Response {
        await record(request, body: body) { now in
            guard let agent = request.headers[.userAgent], !agent.isEmpty else {
                return SandboxJSON.response(["message": "Too Many Requests", "error": 429], status: .tooManyRequests)
            }
            guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
                  let account = await oauth.authenticate(String(header.dropFirst(7)), now: now)
            else { return SandboxJSON.response(["message": "Unauthorized", "error": 401], status: .unauthorized) }
            var parameters: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
            for (key, value) in SandboxJSON.parameters(body, contentType: request.headers[.contentType] ?? "application/x-www-form-urlencoded") ?? [:] {
                parameters[key] = value as? String ?? "\(value)"
            }
            let counted = await sandbox.countRequest(bucket: "reddit:calls", accountID: account.id, limit: Self.callLimit, window: Self.window, now: now)
            let headers = Self.rateHeaders(counted, now: now)
            if counted.exceeded { return SandboxJSON.response(["message": "Too Many Requests", "error": 429], status: .tooManyRequests, headers: headers) }
            var response = await faults.answer(await sandbox.takeFault(platform: Self.platform, path: request.uri.path), now: now) {
                await handler(account, parameters, now)
            }
            for field in headers where response.headers[field.name] == nil { response.headers.append(field) }
            return response
        }
    }

    static func rateHeaders(_ counted: (remaining: Int, reset: Date, exceeded: Bool), now: Date) -> HTTPFields {
        [HTTPField.Name("X-Ratelimit-Used")!: String(callLimit - counted.remaining), HTTPField.Name("X-Ratelimit-Remaining")!: String(counted.remaining),
         HTTPField.Name("X-Ratelimit-Reset")!: String(max(0, Int(counted.reset.timeIntervalSince(now))))]
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
                SandboxJSON.response(["message": "Too Many Requests", "error": 429], status: .tooManyRequests,
                                     headers: [HTTPField.Name("X-Ratelimit-Remaining")!: "0", HTTPField.Name("X-Ratelimit-Reset")!: String(max(1, Int(reset.timeIntervalSinceNow)))])
            },
            serverError: SandboxJSON.response(["message": "Internal Server Error", "error": 500], status: .internalServerError),
            invalidToken: SandboxJSON.response(["message": "Unauthorized", "error": 401], status: .unauthorized),
            expiredToken: SandboxJSON.response(["message": "Unauthorized", "error": 401], status: .unauthorized)
        )
    }
}
