import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// LinkedIn's API as its documentation describes it, under `/linkedin`: the OAuth 2.0 consent page
/// (`/oauth/v2/authorization`) and token endpoint (`/oauth/v2/accessToken`), OpenID Connect's
/// `/v2/userinfo`, and the versioned Posts API: `POST /rest/posts` (201, the new share's URN in
/// `x-restli-id`), reading and deleting a post by its URL-encoded URN, and comments through
/// `/rest/socialActions/{urn}/comments`. Versioned calls need `LinkedIn-Version: YYYYMM`. Errors are
/// `{status, serviceErrorCode?, code?, message}`; limits are daily and a 429 carries no reset header.
struct LinkedInRoutes {
    let sandbox: SandboxState
    let oauth: OAuthServer
    let state: LinkedInState
    static let platform = "linkedin"
    /// A member may post 150 times a day.
    static let postLimit = 150
    static let readLimit = 100_000
    static let day: TimeInterval = 86_400

    func add(to group: RouterGroup<BasicRequestContext>) {
        OAuthEndpoints(server: oauth, consentPath: "/linkedin/oauth/v2/authorization")
            .add(to: group, consentPath: "oauth/v2/authorization", tokenPath: "oauth/v2/accessToken") { request, body, handler in await record(request, body: body, handler) }
        group.get("v2/userinfo") { request, _ in
            await authenticated(request, body: ByteBuffer(), bucket: "userinfo", limit: Self.readLimit, versioned: false) { account, _ in
                let names = account.name.split(separator: " ", maxSplits: 1).map(String.init)
                return SandboxJSON.response([
                    "sub": account.id, "name": account.name, "given_name": names.first ?? account.name, "family_name": names.dropFirst().first ?? "",
                    "picture": "https://media.licdn.com/dms/image/\(account.id)/profile-displayphoto-shrink_100_100/0/", "locale": ["country": "US", "language": "en"],
                    "email": "\(account.username)@example.com", "email_verified": true,
                ])
            }
        }
        // The Community Management API: the Pages a member administers, and a Page's details.
        group.get("rest/organizationAcls") { request, _ in
            await authenticated(request, body: ByteBuffer(), bucket: "organizationAcls", limit: Self.readLimit, versioned: true) { account, _ in
                let query = request.uri.queryParameters
                guard query["q"] == "roleAssignee" else {
                    return SandboxJSON.response(Self.error(400, code: "ILLEGAL_ARGUMENT", "q must be roleAssignee"), status: .badRequest)
                }
                let role = query["role"].map(String.init) ?? "ADMINISTRATOR"
                let organizations = role == "ADMINISTRATOR" ? await state.organizations(administeredBy: Self.person(account), name: account.name) : []
                let elements = organizations.map { ["role": "ADMINISTRATOR", "organization": $0.urn, "roleAssignee": Self.person(account), "state": "APPROVED"] }
                return SandboxJSON.response(["elements": elements, "paging": ["count": 100, "start": 0, "total": elements.count, "links": [Any]()]])
            }
        }
        group.get("rest/organizations/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await authenticated(request, body: ByteBuffer(), bucket: "organizations", limit: Self.readLimit, versioned: true) { _, _ in
                guard let organization = await state.organization(id: id) else { return Self.notFound }
                return SandboxJSON.response([
                    "id": Int(organization.id) ?? 0, "localizedName": organization.name, "vanityName": organization.vanityName,
                    "name": ["localized": ["en_US": organization.name], "preferredLocale": ["country": "US", "language": "en"]],
                    "primaryOrganizationType": "NONE", "organizationType": "PRIVATELY_HELD",
                ])
            }
        }
        group.post("rest/posts") { request, _ in
            let body = try await request.body.collect(upTo: 1024 * 1024)
            return await authenticated(request, body: body, bucket: "posts:create", limit: Self.postLimit, versioned: true) { account, now in
                await create(body, as: account, now: now)
            }
        }
        // Images: register one for an owner, then PUT its bytes to the upload URL (the URL carries the upload).
        group.post("rest/images") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            return await authenticated(request, body: body, bucket: "images:create", limit: Self.postLimit * 20, versioned: true) { account, now in
                guard request.uri.queryParameters["action"] == "initializeUpload" else {
                    return SandboxJSON.response(Self.error(400, code: "ILLEGAL_ARGUMENT", "action=initializeUpload is required"), status: .badRequest)
                }
                guard let owner = ((SandboxJSON.parameters(body, contentType: "application/json") ?? [:])["initializeUploadRequest"] as? [String: Any])?["owner"] as? String
                else { return SandboxJSON.response(Self.fieldRequired("/initializeUploadRequest/owner"), status: .unprocessableContent) }
                guard await state.may(Self.person(account), actAs: owner) else { return Self.accessDenied("partnerApiImages.CREATE") }
                let image = await state.registerImage(owner: owner)
                let url = "http://\(request.head.authority ?? "127.0.0.1")/linkedin/dms-uploads/\(image.uploadID)"
                return SandboxJSON.response(["value": ["uploadUrlExpiresAt": Int(now.addingTimeInterval(86_400).timeIntervalSince1970 * 1000), "uploadUrl": url, "image": image.urn]])
            }
        }
        group.put("dms-uploads/:id") { request, context in
            let body = try await request.body.collect(upTo: 40 * 1024 * 1024)
            return await authenticated(request, body: ByteBuffer(string: "(\(body.readableBytes) bytes)"), bucket: "images:upload", limit: Self.postLimit * 20, versioned: false) { _, _ in
                guard let type = SandboxMediaType.image(Data(buffer: body)), type != "image/webp" else {
                    return SandboxJSON.response(Self.error(400, code: "INVALID_MEDIA", "LinkedIn takes JPG, GIF and PNG images"), status: .badRequest)
                }
                guard await state.receiveImage(uploadID: context.parameters.get("id") ?? "", contentType: type, size: body.readableBytes) else {
                    return Self.notFound
                }
                return Response(status: .created)
            }
        }
        group.get("rest/posts/:urn") { request, context in
            let urn = Self.urn(context.parameters.get("urn"))
            return await authenticated(request, body: ByteBuffer(), bucket: "posts:read", limit: Self.readLimit, versioned: true) { _, _ in
                guard let post = await state.post(urn: urn) else { return Self.notFound }
                return SandboxJSON.response(postJSON(post))
            }
        }
        group.delete("rest/posts/:urn") { request, context in
            let urn = Self.urn(context.parameters.get("urn"))
            return await authenticated(request, body: ByteBuffer(), bucket: "posts:delete", limit: Self.postLimit, versioned: true) { account, _ in
                do throws(LinkedInState.DeleteError) {
                    try await state.deletePost(urn: urn, by: Self.person(account))
                    return Response(status: .noContent)
                } catch .notFound {
                    return Self.notFound
                } catch {
                    return Self.accessDenied("partnerApiPostsExternal.DELETE")
                }
            }
        }
        group.delete("rest/socialActions/:urn/comments/:id") { request, context in
            let urn = Self.urn(context.parameters.get("urn"))
            let id = context.parameters.get("id") ?? ""
            return await authenticated(request, body: ByteBuffer(), bucket: "comments:delete", limit: Self.postLimit, versioned: true) { account, _ in
                let actor = request.uri.queryParameters["actor"].map { $0.removingPercentEncoding ?? String($0) } ?? ""
                guard await state.may(Self.person(account), actAs: actor) else {
                    return Self.accessDenied("partnerApiSocialActions.DELETE")
                }
                do throws(LinkedInState.DeleteError) {
                    try await state.deleteComment(id: id, on: urn, by: actor, member: Self.person(account))
                    return Response(status: .noContent)
                } catch .notFound {
                    return Self.notFound
                } catch {
                    return Self.accessDenied("partnerApiSocialActions.DELETE")
                }
            }
        }
        group.get("rest/socialActions/:urn") { request, context in
            let urn = Self.urn(context.parameters.get("urn"))
            return await authenticated(request, body: ByteBuffer(), bucket: "socialActions:read", limit: Self.readLimit, versioned: true) { _, now in
                guard let post = await state.post(urn: urn) else { return Self.notFound }
                // Reading a member's posts' social actions takes r_member_social, which LinkedIn grants to few
                // partners; an organization's takes r_organization_social.
                let needed = post.author.hasPrefix("urn:li:organization:") ? "r_organization_social" : "r_member_social"
                let token = String((request.headers[.authorization] ?? "").dropFirst(7))
                guard await oauth.scopes(of: token, now: now).contains(needed) else { return Self.accessDenied("partnerApiSocialActions.GET") }
                let comments = await state.comments.filter { $0.object == urn }.count
                return SandboxJSON.response([
                    "target": urn,
                    "likesSummary": ["selectedLikes": [] as [Any], "aggregatedTotalLikes": post.likes, "likedByCurrentUser": false, "totalLikes": post.likes],
                    "commentsSummary": ["selectedComments": [] as [Any], "aggregatedTotalComments": comments, "totalFirstLevelComments": comments, "commentsState": "OPEN"],
                ])
            }
        }
        group.post("rest/socialActions/:urn/comments") { request, context in
            let urn = Self.urn(context.parameters.get("urn"))
            let body = try await request.body.collect(upTo: 1024 * 1024)
            return await authenticated(request, body: body, bucket: "comments:create", limit: Self.postLimit, versioned: true) { account, now in
                await comment(on: urn, body, as: account, now: now)
            }
        }
    }

    // MARK: Posts

    private func create(_ body: ByteBuffer, as account: OAuthServer.Account, now: Date) async -> Response {
        guard let input = SandboxJSON.parameters(body, contentType: "application/json") else {
            return SandboxJSON.response(Self.error(400, code: "INVALID_JSON", "Unable to parse request body"), status: .badRequest)
        }
        for field in ["author", "commentary", "visibility", "distribution", "lifecycleState"] where input[field] == nil {
            return SandboxJSON.response(Self.fieldRequired("/\(field)"), status: .unprocessableContent)
        }
        guard let author = input["author"] as? String, await state.may(Self.person(account), actAs: author) else {
            return Self.accessDenied("partnerApiPostsExternal.CREATE")
        }
        let commentary = input["commentary"] as? String ?? ""
        guard commentary.utf16.count <= 3000 else {
            return SandboxJSON.response(Self.inputError("/commentary", code: "MAX_LENGTH_EXCEEDED", "length of commentary exceeds the maximum allowed length of 3000"), status: .unprocessableContent)
        }
        let visibility = input["visibility"] as? String ?? ""
        guard ["PUBLIC", "CONNECTIONS", "LOGGED_IN"].contains(visibility) else {
            return SandboxJSON.response(Self.inputError("/visibility", code: "INVALID_ENUM_VALUE", "\(visibility) is not a valid visibility"), status: .unprocessableContent)
        }
        var images: [(urn: String, alt: String?)] = []
        let content = input["content"] as? [String: Any]
        if let media = content?["media"] as? [String: Any] {
            images = [(media["id"] as? String ?? "", media["altText"] as? String)]
        } else if let multi = (content?["multiImage"] as? [String: Any])?["images"] as? [[String: Any]] {
            guard (2...20).contains(multi.count) else {
                return SandboxJSON.response(Self.inputError("/content/multiImage/images", code: "INVALID_VALUE", "a multi-image post has from 2 to 20 images"), status: .unprocessableContent)
            }
            images = multi.map { ($0["id"] as? String ?? "", $0["altText"] as? String) }
        }
        for image in images {
            guard let stored = await state.images[image.urn], stored.owner == author, stored.contentType != nil else {
                return SandboxJSON.response(Self.inputError("/content", code: "INVALID_VALUE", "\(image.urn) is not an uploaded image of \(author)"), status: .unprocessableContent)
            }
        }
        switch await state.createPost(author: author, commentary: commentary, visibility: visibility, images: images, now: now) {
        case .created(let post):
            return Response(status: .created, headers: [HTTPField.Name("x-restli-id")!: post.urn, HTTPField.Name("x-linkedin-id")!: post.urn])
        case .duplicate(let earlier):
            return SandboxJSON.response(Self.inputError("/commentary", code: "DUPLICATE_POST", "Content is a duplicate of \(earlier)"), status: .unprocessableContent)
        }
    }

    private func comment(on urn: String, _ body: ByteBuffer, as account: OAuthServer.Account, now: Date) async -> Response {
        guard let input = SandboxJSON.parameters(body, contentType: "application/json"),
              let text = (input["message"] as? [String: Any])?["text"] as? String, !text.isEmpty
        else { return SandboxJSON.response(Self.fieldRequired("/message/text"), status: .unprocessableContent) }
        guard let actor = input["actor"] as? String, await state.may(Self.person(account), actAs: actor) else {
            return Self.accessDenied("partnerApiSocialActions.CREATE")
        }
        if let object = input["object"] as? String, object != urn {
            return SandboxJSON.response(Self.error(400, code: "INVALID_VALUE", "object \(object) does not match the URN in the path \(urn)"), status: .badRequest)
        }
        guard let comment = await state.comment(on: urn, actor: actor, text: text, now: now) else {
            return Self.notFound
        }
        let time = Int(comment.createdAt.timeIntervalSince1970 * 1000)
        return SandboxJSON.response([
            "actor": comment.actor, "object": comment.object, "id": comment.id, "commentUrn": comment.urn, "$URN": comment.urn,
            "message": ["text": comment.text], "created": ["actor": comment.actor, "time": time], "lastModified": ["actor": comment.actor, "time": time],
        ], status: .created, headers: [HTTPField.Name("x-restli-id")!: comment.urn])
    }

    private func postJSON(_ post: LinkedInState.Post) -> [String: Any] {
        let time = Int(post.createdAt.timeIntervalSince1970 * 1000)
        return [
            "id": post.urn, "author": post.author, "commentary": post.commentary, "visibility": post.visibility, "lifecycleState": "PUBLISHED",
            "distribution": ["feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []],
            "isReshareDisabledByAuthor": false, "createdAt": time, "publishedAt": time, "lastModifiedAt": time,
        ]
    }

    // MARK: Plumbing

    /// Checks the access token, the `LinkedIn-Version` header of versioned calls and the account's daily
    /// limit for `bucket`, applies injected faults, runs `handler` and records the exchange.
    private func authenticated(
        _ request: Request, body: ByteBuffer, bucket: String, limit: Int, versioned: Bool,
        _ handler: @escaping (OAuthServer.Account, Date) async -> Response
    ) async -> Response {
        await record(request, body: body) { now in
            guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
                  let account = await oauth.authenticate(String(header.dropFirst(7)), now: now)
            else { return Self.invalidToken }
            if versioned {
                guard let version = request.headers[HTTPField.Name("LinkedIn-Version")!], version.wholeMatch(of: /\d{6}/) != nil else {
                    return SandboxJSON.response(Self.error(400, code: "VERSION_MISSING", "A version must be present. Please specify a version by adding the LinkedIn-Version header."), status: .badRequest)
                }
            }
            let counted = await sandbox.countRequest(bucket: "linkedin:\(bucket)", accountID: account.id, limit: limit, window: Self.day, now: now)
            if counted.exceeded { return Self.tooManyRequests }
            return await faults.answer(await sandbox.takeFault(platform: Self.platform, path: request.uri.path), now: now) {
                await handler(account, now)
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
        FaultResponses(
            rateLimited: { _ in Self.tooManyRequests },
            serverError: SandboxJSON.response(Self.error(500, code: "INTERNAL_SERVER_ERROR", "Internal Server Error"), status: .internalServerError),
            invalidToken: Self.invalidToken,
            expiredToken: SandboxJSON.response(Self.error(401, serviceErrorCode: 65601, code: "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired"), status: .unauthorized)
        )
    }

    static let invalidToken = SandboxJSON.response(error(401, serviceErrorCode: 65600, code: "INVALID_ACCESS_TOKEN", "Invalid access token"), status: .unauthorized)

    static let tooManyRequests = SandboxJSON.response(
        error(429, serviceErrorCode: 101, code: "TOO_MANY_REQUESTS", "Resource level throttle MEMBER DAY limit for calls to this resource is reached."),
        status: .tooManyRequests
    )

    static let notFound = SandboxJSON.response(error(404, code: "NOT_FOUND", "Not Found"), status: .notFound)

    static func accessDenied(_ resource: String) -> Response {
        SandboxJSON.response(error(403, serviceErrorCode: 100, code: "ACCESS_DENIED", "Not enough permissions to access: \(resource).20260101"), status: .forbidden)
    }

    static func person(_ account: OAuthServer.Account) -> String { "urn:li:person:\(account.id)" }

    static func urn(_ parameter: String?) -> String { parameter.flatMap { $0.removingPercentEncoding } ?? "" }

    static func error(_ status: Int, serviceErrorCode: Int? = nil, code: String, _ message: String) -> [String: Any] {
        var body: [String: Any] = ["status": status, "code": code, "message": message]
        if let serviceErrorCode { body["serviceErrorCode"] = serviceErrorCode }
        return body
    }

    static func inputError(_ path: String, code: String, _ description: String) -> [String: Any] {
        [
            "errorDetailType": "com.linkedin.common.error.BadRequest", "message": "\(path) :: \(description)", "status": 422,
            "errorDetails": ["inputErrors": [["description": description, "input": ["inputPath": ["fieldPath": path]], "code": code]]],
        ]
    }

    static func fieldRequired(_ path: String) -> [String: Any] {
        inputError(path, code: "FIELD_VALUE_REQUIRED", "field is required but not found and has no default value")
    }
}
