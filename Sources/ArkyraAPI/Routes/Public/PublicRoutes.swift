import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird

/// `/public/v1`: the API for integrators, authenticated by an organization's API key, compatible with
/// Postiz's public API, plus what Postiz lacks: one post (GET, PUT, PATCH), a group (GET) and the status change.
/// Routes whose capability ARKYRA does not have yet answer an error that says so, never a made-up success.
struct PublicRoutes {
    let posts: PostService
    let integrations: IntegrationService
    let notifications: NotificationRepository
    /// For the `image` of posts: the files' ids and URLs.
    let media: MediaService
    let database: Database
    let maxBodyBytes: Int

    struct Listing: Encodable { var posts: [PostizFormat.Post] }
    struct GroupListing: Encodable { var group: String; var posts: [PostizFormat.Post] }

    func add(to group: RouterGroup<PublicAPIContext>) {
        group.get("is-connected") { _, _ in
            try JSONBody.response(["connected": true], camelCase: true)
        }
        group.get("integrations") { _, context in
            let channels = try await integrations.list(organizationID: context.organizationID)
            let customers = try await integrations.customers(ids: channels.compactMap(\.customerID), organizationID: context.organizationID)
            return try JSONBody.response(channels.map { PostizFormat.Integration($0, customer: $0.customerID.flatMap { customers[$0] }) }, camelCase: true)
        }
        group.get("find-slot/:integration") { _, context in
            let slot = try await posts.nextFreeSlot(organizationID: context.organizationID, integrationID: try context.parameters.require("integration"))
            return try JSONBody.response(["date": ISO8601Timestamp.format(slot)], camelCase: true)
        }
        group.get("posts") { request, context in
            let query = request.uri.queryParameters
            var input = PostService.CalendarInput(fromField: "startDate", toField: "endDate")
            input.from = query["startDate"].map { String($0) }
            input.to = query["endDate"].map { String($0) }
            input.customer = query["customer"].map { String($0) }
            let page = try await posts.calendar(organizationID: context.organizationID, input)
            return try JSONBody.response(Listing(posts: try await formatted(page.posts)), camelCase: true)
        }
        group.post("posts") { request, context in
            let body = try await JSONBody.decode(PostizFormat.CreateBody.self, from: request, maxBytes: maxBodyBytes)
            return try JSONBody.response(try await create(body, context: context, origin: context.origin(request)), status: .created, camelCase: true)
        }
        group.get("posts/group/:group") { _, context in
            let groupID = try context.parameters.require("group")
            let found = try await posts.group(organizationID: context.organizationID, groupID: groupID)
            return try JSONBody.response(GroupListing(group: groupID, posts: try await formatted(found)), camelCase: true)
        }
        group.delete("posts/group/:group") { request, context in
            try await posts.deleteGroup(organizationID: context.organizationID, groupID: try context.parameters.require("group"),
                                        by: nil, origin: context.origin(request))
            return try JSONBody.response(["success": true], camelCase: true)
        }
        group.get("posts/:post") { _, context in
            let post = try await posts.find(organizationID: context.organizationID, postID: try context.parameters.require("post"))
            return try JSONBody.response(try await formatted([post])[0], camelCase: true)
        }
        group.put("posts/:post") { request, context in try await update(request, context) }
        group.patch("posts/:post") { request, context in try await update(request, context) }
        group.put("posts/:post/status") { request, context in
            let body = try await JSONBody.decode(PostizFormat.StatusBody.self, from: request, maxBytes: maxBodyBytes)
            let changed = try await PostizFormat.inPostizTerms {
                try await posts.changeStatus(
                    organizationID: context.organizationID, postID: try context.parameters.require("post"), to: body.status,
                    publishAt: body.date, by: nil, origin: context.origin(request)
                )
            }
            return try JSONBody.response(try await formatted([changed])[0], camelCase: true)
        }
        group.get("posts/:post/missing") { _, context in
            // Postiz lists the platform's recent posts for a post published without a known id ("missing");
            // ARKYRA always records the id or marks the post unconfirmed, so there is never anything to list.
            _ = try await posts.find(organizationID: context.organizationID, postID: try context.parameters.require("post"))
            return try JSONBody.response([String](), camelCase: true)
        }
        group.put("posts/:post/release-id") { request, context in
            let body = try await JSONBody.decode(PostizFormat.ReleaseIDBody.self, from: request, maxBytes: maxBodyBytes)
            let confirmed = try await posts.confirmPublished(
                organizationID: context.organizationID, postID: try context.parameters.require("post"), releaseID: body.releaseId,
                by: nil, origin: context.origin(request)
            )
            return try JSONBody.response(try await formatted([confirmed])[0], camelCase: true)
        }
        group.get("notifications") { request, context in
            let raw = request.uri.queryParameters["page"].map(String.init) ?? "0"
            guard let page = Int(raw), (0...100_000).contains(page) else { throw APIError.validation(["page": "must be a page number from 0"]) }
            let limit = 100
            let found = try await notifications.list(organizationID: context.organizationID, limit: limit, offset: page * limit, client: database)
            let total = try await notifications.count(organizationID: context.organizationID, client: database)
            return try JSONBody.response(PostizFormat.NotificationPage(
                notifications: found.map { .init(id: $0.id.uuidString, content: $0.message, link: nil, createdAt: ISO8601Timestamp.format($0.createdAt)) },
                total: total, page: page, limit: limit, hasMore: page * limit + found.count < total
            ), camelCase: true)
        }
        group.delete("integrations/:integration") { request, context in
            let removed = try await posts.removeChannel(
                organizationID: context.organizationID, integrationID: try context.parameters.require("integration"), by: nil, origin: context.origin(request)
            )
            return try JSONBody.response(PostizFormat.Integration(removed, customer: nil), camelCase: true)
        }
        group.get("social/:integration") { _, context -> Response in
            let provider = try context.parameters.require("integration")
            let organization = context.organizationID.uuidString
            switch provider {
            case "mastodon", "bluesky":
                throw APIError(.badRequest, "connect_link_unavailable",
                               "\(provider) channels connect with \(provider == "mastodon" ? "an access token" : "a handle and an app password"), not a sign-in link: "
                               + "POST /api/v1/organizations/\(organization)/integrations")
            case "x", "linkedin":
                throw APIError(.badRequest, "connect_link_unavailable",
                               "\(provider) channels connect as a signed-in user, not an API key: POST /api/v1/organizations/\(organization)/integrations/oauth/\(provider)")
            default:
                throw APIError(.badRequest, "integration_not_allowed", "ARKYRA cannot connect \(provider) channels yet; it connects bluesky, linkedin, mastodon and x")
            }
        }
        group.get("analytics/post/:post") { _, _ -> Response in
            throw APIError(.notImplemented, "analytics_unavailable", "post analytics are not available yet: ARKYRA does not collect platform metrics")
        }
        group.get("analytics/:integration") { _, _ -> Response in
            throw APIError(.notImplemented, "analytics_unavailable", "channel analytics are not available yet: ARKYRA does not collect platform metrics")
        }
        group.delete("posts/:post") { request, context in
            // As in Postiz, deleting a post deletes its whole group (every channel's variant).
            let post = try await posts.find(organizationID: context.organizationID, postID: try context.parameters.require("post"))
            try await posts.deleteGroup(organizationID: context.organizationID, groupID: post.groupID.uuidString, by: nil, origin: context.origin(request))
            return try JSONBody.response(["success": true], camelCase: true)
        }
    }

    private func create(_ body: PostizFormat.CreateBody, context: PublicAPIContext, origin: RequestOrigin) async throws -> [PostizFormat.Created] {
        guard let mode = PostService.PublishMode(rawValue: body.type) else {
            throw APIError.validation(["type": "must be one of: schedule, now, draft"])
        }
        var fields: [String: String] = [:]
        for (index, variant) in body.posts.enumerated() {
            if variant.value.isEmpty { fields["posts[\(index)].value"] = "must hold at least the post itself" }
            for (itemIndex, item) in variant.value.enumerated() {
                for (imageIndex, image) in (item.image ?? []).enumerated() where image.id == nil {
                    fields["posts[\(index)].value[\(itemIndex)].image[\(imageIndex)].id"] = "is required: the id that upload or upload-from-url answered"
                }
            }
        }
        guard fields.isEmpty else { throw APIError.validation(fields) }
        let variants = body.posts.map { variant in
            PostService.Variant(
                integrationID: variant.integration.id, content: variant.value[0].content,
                thread: variant.value.dropFirst().map { .init(content: $0.content, delaySeconds: $0.delaySeconds) },
                media: (variant.value[0].image ?? []).compactMap(\.id), threadMedia: variant.value.dropFirst().map { ($0.image ?? []).compactMap(\.id) }
            )
        }
        let created = try await PostizFormat.inPostizTerms {
            try await posts.schedule(PostService.ScheduleRequest(
                organizationID: context.organizationID, variants: variants, publishAt: body.date ?? "", timeZone: nil, mode: mode,
                tags: (body.tags ?? []).compactMap { $0.label ?? $0.value }, userID: nil, origin: origin
            ))
        }
        return created.filter { $0.parentID == nil }.map {
            PostizFormat.Created(postId: $0.id.uuidString, integration: $0.integrationID.uuidString, group: $0.groupID.uuidString)
        }
    }

    private func update(_ request: Request, _ context: PublicAPIContext) async throws -> Response {
        let body = try await JSONBody.decode(PostizFormat.UpdateBody.self, from: request, maxBytes: maxBodyBytes)
        let updated = try await PostizFormat.inPostizTerms {
            try await posts.update(
                organizationID: context.organizationID, postID: try context.parameters.require("post"), content: body.content,
                publishAt: body.date, by: nil, origin: context.origin(request)
            )
        }
        return try JSONBody.response(try await formatted([updated])[0], camelCase: true)
    }

    private func formatted(_ found: [Post]) async throws -> [PostizFormat.Post] {
        guard let organizationID = found.first?.organizationID else { return [] }
        let tags = try await posts.tagNames(of: found.map(\.id))
        let channels = try await integrations.find(ids: Array(Set(found.map(\.integrationID))), organizationID: organizationID)
        let files = try await media.media.find(ids: Array(Set(found.flatMap(\.mediaIDs))), organizationID: organizationID, client: database)
        let paths = Dictionary(files.map { ($0.id, media.json($0).url) }, uniquingKeysWith: { first, _ in first })
        return found.map { post in
            PostizFormat.Post(post, tags: tags[post.id] ?? [], channel: channels[post.integrationID],
                              images: post.mediaIDs.compactMap { id in paths[id].map { (id, $0) } })
        }
    }
}
