import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat

/// A Bluesky PDS's XRPC API as the AT Protocol documents it, under `/bluesky/xrpc`: createSession with an app
/// password, refreshSession (refresh tokens rotate), uploadBlob (images embedded in posts), createRecord (with a record key of the client's, or a fresh TID) / getRecord / listRecords / deleteRecord for posts,
/// app.bsky.actor.getProfile, getSession (with the DID document naming this PDS) and getServiceAuth (tokens
/// for the video service, ``BlueskyVideoRoutes``).
/// Errors are `{"error", "message"}`: an expired access token is 400 `ExpiredToken`, a revoked refresh
/// token 401 `ExpiredToken`, a missing or unknown token 401. Writes cost points (create: 3) against 5,000
/// per hour per account, reported in `ratelimit-*` headers; past it, 429 `RateLimitExceeded`; createSession
/// allows 30 per 5 minutes per handle.
struct BlueskyRoutes {
    let sandbox: SandboxState
    let state: BlueskyState
    static let platform = "bluesky"
    static let maximumGraphemes = 300
    static let pointsPerHour = 5000
    static let createCost = 3

    func add(to group: RouterGroup<BasicRequestContext>) {
        group.post("xrpc/com.atproto.server.createSession") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            return await record(request, body: body) { now in
                let input = SandboxJSON.parameters(body, contentType: "application/json") ?? [:]
                let identifier = input["identifier"] as? String ?? ""
                guard let password = input["password"] as? String, !identifier.isEmpty else {
                    return Self.error(.badRequest, "InvalidRequest", "Input must have the properties \"identifier\" and \"password\"")
                }
                let limit = await sandbox.countRequest(bucket: "bsky-session", accountID: identifier, limit: 30, window: 300, now: now)
                if limit.exceeded { return rateLimited(limit.reset, limit: 30, remaining: 0, policy: "30;w=300") }
                guard let account = await state.account(identifier: identifier), account.password == password else {
                    return Self.error(.unauthorized, "AuthenticationRequired", "Invalid identifier or password")
                }
                let session = await state.openSession(for: account, now: now)
                return SandboxJSON.response(sessionJSON(account, session))
            }
        }
        group.post("xrpc/com.atproto.server.refreshSession") { request, _ in
            await record(request, body: ByteBuffer()) { now in
                guard let token = Self.bearer(request) else { return Self.error(.unauthorized, "AuthenticationRequired", "Authentication Required") }
                return await faults.answer(await sandbox.takeFault(platform: Self.platform, path: request.uri.path), now: now) {
                    let rotation = await state.rotate(token, now: now)
                    switch rotation.check {
                    case .valid(let account): return SandboxJSON.response(sessionJSON(account, rotation.session!))
                    case .expired: return Self.error(.badRequest, "ExpiredToken", "Token has expired")
                    case .revoked: return Self.error(.unauthorized, "ExpiredToken", "Token has been revoked")
                    case .unknown: return Self.error(.unauthorized, "InvalidToken", "Token could not be verified")
                    }
                }
            }
        }
        group.post("xrpc/com.atproto.repo.createRecord") { request, _ in
            let body = try await request.body.collect(upTo: 1024 * 1024)
            return await authenticated(request, body: body) { account, now in
                let limit = await sandbox.countRequest(
                    bucket: "bsky-points", accountID: account.did, limit: Self.pointsPerHour / Self.createCost, window: 3600, now: now
                )
                let remaining = max(0, Self.pointsPerHour - (Self.pointsPerHour / Self.createCost - limit.remaining) * Self.createCost)
                if limit.exceeded { return rateLimited(limit.reset, limit: Self.pointsPerHour, remaining: 0, policy: "5000;w=3600") }
                let input = SandboxJSON.parameters(body, contentType: "application/json") ?? [:]
                if let problem = Self.problem(in: input, did: account.did) { return Self.error(.badRequest, "InvalidRequest", problem) }
                if let problem = await embedProblem(in: input, did: account.did) { return Self.error(.badRequest, "InvalidRequest", problem) }
                let record = input["record"] as! [String: Any]
                let value = (try? JSONSerialization.data(withJSONObject: record, options: [.withoutEscapingSlashes])) ?? Data("{}".utf8)
                guard let created = await state.createRecord(
                    did: account.did, collection: input["collection"] as! String, rkey: input["rkey"] as? String, value: value, now: now
                ) else {
                    // What Bluesky's PDS answers today for a record key already in use (atproto issue #3718).
                    return Self.error(.internalServerError, "InternalServerError", "Internal Server Error")
                }
                return SandboxJSON.response(
                    ["uri": created.uri, "cid": created.cid, "commit": ["cid": "bafyrei" + BlueskyState.randomBase32(52), "rev": created.rkey],
                     "validationStatus": "valid"],
                    headers: rateHeaders(reset: limit.reset, limit: Self.pointsPerHour, remaining: remaining, policy: "5000;w=3600")
                )
            }
        }
        group.post("xrpc/com.atproto.repo.deleteRecord") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            return await authenticated(request, body: body) { account, now in
                let limit = await sandbox.countRequest(bucket: "bsky-points", accountID: account.did, limit: Self.pointsPerHour / Self.createCost, window: 3600, now: now)
                if limit.exceeded { return rateLimited(limit.reset, limit: Self.pointsPerHour, remaining: 0, policy: "5000;w=3600") }
                let input = SandboxJSON.parameters(body, contentType: "application/json") ?? [:]
                guard let repo = input["repo"] as? String, let collection = input["collection"] as? String, let rkey = input["rkey"] as? String else {
                    return Self.error(.badRequest, "InvalidRequest", "Input must have the properties \"repo\", \"collection\" and \"rkey\"")
                }
                guard repo == account.did || repo == account.handle else { return Self.error(.unauthorized, "AuthenticationRequired", "Authentication Required") }
                await state.deleteRecord(uri: "at://\(account.did)/\(collection)/\(rkey)")
                return SandboxJSON.response(["commit": ["cid": "bafyrei" + BlueskyState.randomBase32(52), "rev": rkey]])
            }
        }
        group.get("xrpc/com.atproto.identity.resolveHandle") { request, _ in
            await record(request, body: ByteBuffer()) { _ in
                guard let handle = request.uri.queryParameters["handle"].map(String.init), !handle.isEmpty else {
                    return Self.error(.badRequest, "InvalidRequest", "Params must have the property \"handle\"")
                }
                guard let account = await state.account(identifier: handle.lowercased()) else {
                    return Self.error(.badRequest, "InvalidRequest", "Unable to resolve handle")
                }
                return SandboxJSON.response(["did": account.did])
            }
        }
        group.get("xrpc/app.bsky.actor.getProfile") { request, _ in
            await authenticated(request, body: ByteBuffer()) { _, now in
                let actor = request.uri.queryParameters["actor"].map(String.init) ?? ""
                guard !actor.isEmpty else { return Self.error(.badRequest, "InvalidRequest", "Params must have the property \"actor\"") }
                guard let profile = await state.account(identifier: actor) else { return Self.error(.badRequest, "InvalidRequest", "Profile not found") }
                return SandboxJSON.response([
                    "did": profile.did, "handle": profile.handle, "displayName": profile.handle, "description": "",
                    "followersCount": 0, "followsCount": 0, "postsCount": await state.count(did: profile.did, collection: "app.bsky.feed.post"),
                    "indexedAt": SandboxJSON.timestamp(now), "createdAt": SandboxJSON.timestamp(now),
                    "labels": [Any](), "associated": ["lists": 0, "feedgens": 0, "starterPacks": 0, "labeler": false],
                ])
            }
        }
        // The AppView's view of posts, with their counts; unknown URIs are left out, as Bluesky does.
        group.get("xrpc/app.bsky.feed.getPosts") { request, _ in
            await authenticated(request, body: ByteBuffer()) { _, _ in
                let uris = request.uri.queryParameters.getAll("uris").map { String($0).removingPercentEncoding ?? String($0) }
                guard !uris.isEmpty, uris.count <= 25 else { return Self.error(.badRequest, "InvalidRequest", "uris must have from 1 to 25 items") }
                var posts: [[String: Any]] = []
                for uri in uris {
                    guard let found = await state.record(uri: uri), let author = await state.account(identifier: found.did) else { continue }
                    let counts = await state.engagement[uri] ?? [:]
                    posts.append([
                        "uri": found.uri, "cid": found.cid, "author": ["did": author.did, "handle": author.handle],
                        "record": (try? JSONSerialization.jsonObject(with: found.value)) ?? [:], "indexedAt": SandboxJSON.timestamp(found.indexedAt),
                        "likeCount": counts["likes"] ?? 0, "repostCount": counts["reposts"] ?? 0, "quoteCount": counts["quotes"] ?? 0,
                        "replyCount": await state.replies(to: uri), "labels": [Any](),
                    ])
                }
                return SandboxJSON.response(["posts": posts])
            }
        }
        group.get("xrpc/com.atproto.server.getSession") { request, _ in
            await authenticated(request, body: ByteBuffer()) { account, _ in
                let endpoint = "http://\(request.head.authority ?? "127.0.0.1")/bluesky"
                return SandboxJSON.response([
                    "did": account.did, "handle": account.handle, "active": true, "emailConfirmed": true,
                    "didDoc": [
                        "@context": ["https://www.w3.org/ns/did/v1"], "id": account.did, "alsoKnownAs": ["at://\(account.handle)"],
                        "service": [["id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": endpoint]],
                    ],
                ])
            }
        }
        group.get("xrpc/com.atproto.server.getServiceAuth") { request, _ in
            await authenticated(request, body: ByteBuffer()) { account, now in
                let query = request.uri.queryParameters
                guard let audience = query["aud"].map(String.init), audience.hasPrefix("did:") else {
                    return Self.error(.badRequest, "InvalidRequest", "Params must have the property \"aud\"")
                }
                let expiry = query["exp"].flatMap { Double(String($0)) }.map { Date(timeIntervalSince1970: $0) } ?? now.addingTimeInterval(60)
                guard expiry > now, expiry.timeIntervalSince(now) <= 3600 else {
                    return Self.error(.badRequest, "BadExpiration", "expiration must be in the future and within an hour")
                }
                let method = query["lxm"].map(String.init) ?? ""
                let token = await state.issueServiceToken(did: account.did, audience: audience, method: method, expiresAt: expiry, now: now)
                return SandboxJSON.response(["token": token])
            }
        }
        group.post("xrpc/com.atproto.repo.uploadBlob") { request, _ in
            let body = try await request.body.collect(upTo: Self.maximumBlobBytes + 1)
            return await authenticated(request, body: ByteBuffer(string: "(\(body.readableBytes) bytes)")) { account, _ in
                if body.readableBytes > Self.maximumBlobBytes {
                    return Self.error(.contentTooLarge, "PayloadTooLarge", "request entity too large")
                }
                // The PDS keeps the type it sniffs from the bytes over the one the client names (often */*).
                let type = SandboxMediaType.sniff(Data(buffer: body)) ?? request.headers[.contentType] ?? "*/*"
                let blob = await state.addBlob(did: account.did, mimeType: type, size: body.readableBytes)
                return SandboxJSON.response(["blob": ["$type": "blob", "ref": ["$link": blob.cid], "mimeType": blob.mimeType, "size": blob.size]])
            }
        }
        group.get("xrpc/com.atproto.repo.getRecord") { request, _ in
            await record(request, body: ByteBuffer()) { _ in
                let query = request.uri.queryParameters
                let uri = "at://\(query["repo"].map(String.init) ?? "")/\(query["collection"].map(String.init) ?? "")/\(query["rkey"].map(String.init) ?? "")"
                guard let found = await state.record(uri: uri) else { return Self.error(.badRequest, "RecordNotFound", "Could not locate record: \(uri)") }
                return SandboxJSON.response(found.json)
            }
        }
        group.get("xrpc/com.atproto.repo.listRecords") { request, _ in
            await record(request, body: ByteBuffer()) { _ in
                let query = request.uri.queryParameters
                let limit = query["limit"].flatMap { Int(String($0)) } ?? 50
                guard (1...100).contains(limit) else { return Self.error(.badRequest, "InvalidRequest", "limit must be between 1 and 100") }
                guard let repo = query["repo"].map(String.init), let collection = query["collection"].map(String.init) else {
                    return Self.error(.badRequest, "InvalidRequest", "Params must have the properties \"repo\" and \"collection\"")
                }
                let records = await state.list(did: repo, collection: collection, limit: limit, cursor: query["cursor"].map(String.init),
                                               reverse: query["reverse"] == "true")
                var answer: [String: Any] = ["records": records.map(\.json)]
                if records.count == limit, let last = records.last { answer["cursor"] = last.rkey }
                return SandboxJSON.response(answer)
            }
        }
    }

    /// Why a createRecord input is refused, as the PDS words it; nil when it is a valid post.
    static func problem(in input: [String: Any], did: String) -> String? {
        guard input["repo"] as? String == did else { return "Input/repo must be the authenticated account's DID" }
        guard input["collection"] as? String == "app.bsky.feed.post" else { return "Input/collection: only app.bsky.feed.post is emulated" }
        guard let record = input["record"] as? [String: Any] else { return "Input must have the property \"record\"" }
        if let rkey = input["rkey"] {
            guard let rkey = rkey as? String, isRecordKey(rkey) else { return "Input/rkey must be a valid Record Key" }
        }
        guard let text = record["text"] as? String else { return "Invalid app.bsky.feed.post record: Record must have the property \"text\"" }
        if text.count > maximumGraphemes {
            return "Invalid app.bsky.feed.post record: Record/text must not be longer than \(maximumGraphemes) graphemes"
        }
        guard let createdAt = record["createdAt"] as? String, SandboxJSON.date(createdAt) != nil else {
            return "Invalid app.bsky.feed.post record: Record/createdAt must be an valid atproto datetime"
        }
        if let reply = record["reply"] {
            let references = (reply as? [String: Any]).map { [$0["root"], $0["parent"]] } ?? []
            let valid = references.count == 2 && references.allSatisfy { reference in
                guard let reference = reference as? [String: Any] else { return false }
                return (reference["uri"] as? String)?.hasPrefix("at://") == true && reference["cid"] is String
            }
            if !valid { return "Invalid app.bsky.feed.post record: Record/reply must have root and parent, each with uri and cid" }
        }
        if let facets = record["facets"] {
            guard let facets = facets as? [[String: Any]] else { return "Invalid app.bsky.feed.post record: Record/facets must be an array" }
            for (index, facet) in facets.enumerated() {
                let path = "Invalid app.bsky.feed.post record: Record/facets/\(index)"
                guard let range = facet["index"] as? [String: Any], let start = range["byteStart"] as? Int, let end = range["byteEnd"] as? Int else {
                    return "\(path)/index must have the properties \"byteStart\" and \"byteEnd\""
                }
                if start < 0 || end < 0 { return "\(path)/index/byteStart can not be less than 0" }
                guard let features = facet["features"] as? [[String: Any]] else { return "\(path) must have the property \"features\"" }
                for feature in features {
                    switch feature["$type"] as? String {
                    case "app.bsky.richtext.facet#link":
                        guard let uri = feature["uri"] as? String, URL(string: uri)?.scheme != nil else { return "\(path)/features/0/uri must be a uri" }
                    case "app.bsky.richtext.facet#mention":
                        guard (feature["did"] as? String)?.hasPrefix("did:") == true else { return "\(path)/features/0/did must be a did" }
                    case "app.bsky.richtext.facet#tag":
                        guard let tag = feature["tag"] as? String, !tag.isEmpty, tag.count <= 64 else { return "\(path)/features/0/tag must not be longer than 64 graphemes" }
                    default:
                        continue  // Unknown features are allowed (open union).
                    }
                }
            }
        }
        return nil
    }

    /// A PDS's default blob limit.
    static let maximumBlobBytes = 50 * 1024 * 1024

    /// Why a post's `app.bsky.embed.images` is refused, as the PDS's lexicon validation words it.
    func embedProblem(in input: [String: Any], did: String) async -> String? {
        guard let embed = (input["record"] as? [String: Any])?["embed"] else { return nil }
        let prefix = "Invalid app.bsky.feed.post record: Record/embed"
        guard let object = embed as? [String: Any], let type = object["$type"] as? String, ["app.bsky.embed.images", "app.bsky.embed.video"].contains(type) else {
            return "\(prefix) must be an object which includes the \"$type\" property (app.bsky.embed.images and app.bsky.embed.video are emulated)"
        }
        if type == "app.bsky.embed.video" {
            guard let blob = object["video"] as? [String: Any], let link = (blob["ref"] as? [String: Any])?["$link"] as? String,
                  let stored = await state.blob(cid: link), stored.did == did
            else { return "\(prefix)/video should be a blob ref" }
            if stored.mimeType != "video/mp4" { return "\(prefix)/video mimeType (\(stored.mimeType)) does not match accepted types: video/mp4" }
            if let alt = object["alt"] as? String, alt.count > 1000 { return "\(prefix)/alt must not be longer than 1000 graphemes" }
            return nil
        }
        guard let images = object["images"] as? [[String: Any]], (1...4).contains(images.count) else {
            return "\(prefix)/images must not have more than 4 elements"
        }
        for (index, image) in images.enumerated() {
            let path = "\(prefix)/images/\(index)"
            guard image["alt"] is String else { return "\(path) must have the property \"alt\"" }
            guard let blob = image["image"] as? [String: Any], let link = (blob["ref"] as? [String: Any])?["$link"] as? String,
                  let stored = await state.blob(cid: link), stored.did == did
            else { return "\(path)/image should be a blob ref" }
            if !stored.mimeType.hasPrefix("image/") { return "\(path)/image mimeType (\(stored.mimeType)) does not match accepted types: image/*" }
            if stored.size > 1_000_000 { return "\(path)/image file too big (max 1000000 bytes)" }
            if let ratio = image["aspectRatio"] {
                guard let ratio = ratio as? [String: Any], (ratio["width"] as? Int ?? 0) >= 1, (ratio["height"] as? Int ?? 0) >= 1 else {
                    return "\(path)/aspectRatio must have width and height of at least 1"
                }
            }
        }
        return nil
    }

    /// The record key syntax of the AT Protocol: 1 to 512 of `A-Za-z0-9.-_:~`, not `.` or `..`.
    static func isRecordKey(_ key: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:~")
        return (1...512).contains(key.count) && key.allSatisfy(allowed.contains) && key != "." && key != ".."
    }

    /// Checks the access token, applies injected faults, runs `handler` and records the exchange.
    private func authenticated(_ request: Request, body: ByteBuffer, _ handler: @escaping (BlueskyState.Account, Date) async -> Response) async -> Response {
        await record(request, body: body) { now in
            guard let token = Self.bearer(request) else { return Self.error(.unauthorized, "AuthenticationRequired", "Authentication Required") }
            switch await state.checkAccess(token, now: now) {
            case .valid(let account):
                return await faults.answer(await sandbox.takeFault(platform: Self.platform, path: request.uri.path), now: now) { await handler(account, now) }
            case .expired: return Self.error(.badRequest, "ExpiredToken", "Token has expired")
            case .revoked, .unknown: return Self.error(.unauthorized, "InvalidToken", "Token could not be verified")
            }
        }
    }

    /// Runs `handler` and records the request with its answer.
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
            rateLimited: { reset in rateLimited(reset, limit: Self.pointsPerHour, remaining: 0, policy: "5000;w=3600") },
            serverError: Self.error(.internalServerError, "InternalServerError", "Internal Server Error"),
            invalidToken: Self.error(.unauthorized, "InvalidToken", "Token could not be verified"),
            expiredToken: Self.error(.badRequest, "ExpiredToken", "Token has expired")
        )
    }

    private func rateLimited(_ reset: Date, limit: Int, remaining: Int, policy: String) -> Response {
        SandboxJSON.response(["error": "RateLimitExceeded", "message": "Rate Limit Exceeded"], status: .tooManyRequests,
                             headers: rateHeaders(reset: reset, limit: limit, remaining: remaining, policy: policy))
    }

    private func rateHeaders(reset: Date, limit: Int, remaining: Int, policy: String) -> HTTPFields {
        [
            HTTPField.Name("ratelimit-limit")!: String(limit), HTTPField.Name("ratelimit-remaining")!: String(remaining),
            HTTPField.Name("ratelimit-reset")!: String(Int(reset.timeIntervalSince1970.rounded(.up))),
            HTTPField.Name("ratelimit-policy")!: policy,
        ]
    }

    private func sessionJSON(_ account: BlueskyState.Account, _ session: (access: String, refresh: String)) -> [String: Any] {
        ["did": account.did, "handle": account.handle, "accessJwt": session.access, "refreshJwt": session.refresh, "active": true]
    }

    static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        return String(header.dropFirst(7))
    }

    static func error(_ status: HTTPResponse.Status, _ name: String, _ message: String) -> Response {
        SandboxJSON.response(["error": name, "message": message], status: status)
    }
}
