import ArkyraCore
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/v1/organizations/:organization/posts`: schedule a post group, the calendar, one post.
struct PostRoutes {
    let organizations: OrganizationService
    let posts: PostService
    let maxBodyBytes: Int

    struct ScheduleBody: StrictDecodable {
        typealias Fields = CodingKeys
        var publishAt: String
        var timeZone: String?
        var variants: [VariantBody]
        var recurrence: RecurrenceBody?
        var tags: [String]?
        /// Store as a draft: kept with its date, not scheduled.
        var draft: Bool?
        /// A signature to add, `"none"`, or absent for the organization's default.
        var signatureID: String?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case variants, recurrence, tags, draft
            case signatureID = "signature_id"
            case publishAt = "publish_at"
            case timeZone = "time_zone"
        }

        static func unknownFields(in object: [String: Any], path: String) -> [String: String] {
            var unknown = ownUnknownFields(in: object, path: path)
            if let variants = object["variants"] as? [Any] {
                for (index, variant) in variants.enumerated() {
                    guard let variant = variant as? [String: Any] else { continue }
                    unknown.merge(VariantBody.unknownFields(in: variant, path: "variants[\(index)].")) { first, _ in first }
                }
            }
            if let recurrence = object["recurrence"] as? [String: Any] {
                unknown.merge(RecurrenceBody.unknownFields(in: recurrence, path: "recurrence.")) { first, _ in first }
            }
            return unknown
        }
    }

    struct RecurrenceBody: StrictDecodable {
        typealias Fields = CodingKeys
        var unit: String?
        var every: Int?
        var cron: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case unit, every, cron }
    }

    struct VariantBody: StrictDecodable {
        typealias Fields = CodingKeys
        var integrationID: String
        var content: String
        var thread: [ThreadItemBody]?
        /// Library file ids, in order.
        var media: [String]?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case content, thread, media
            case integrationID = "integration_id"
        }

        static func unknownFields(in object: [String: Any], path: String) -> [String: String] {
            var unknown = ownUnknownFields(in: object, path: path)
            for (index, item) in (object["thread"] as? [Any] ?? []).enumerated() {
                guard let item = item as? [String: Any] else { continue }
                unknown.merge(ThreadItemBody.unknownFields(in: item, path: "\(path)thread[\(index)].")) { first, _ in first }
            }
            return unknown
        }
    }

    struct ThreadItemBody: StrictDecodable {
        typealias Fields = CodingKeys
        var content: String
        var delaySeconds: Int?
        var media: [String]?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case content, media
            case delaySeconds = "delay_seconds"
        }
    }

    struct UpdateBody: StrictDecodable {
        typealias Fields = CodingKeys
        var content: String?
        var publishAt: String?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case content
            case publishAt = "publish_at"
        }
    }

    struct CheckBody: StrictDecodable {
        typealias Fields = CodingKeys
        var content: String
        var integrationIDs: [String]
        enum CodingKeys: String, CodingKey, CaseIterable {
            case content
            case integrationIDs = "integration_ids"
        }
    }

    struct Checks: Encodable {
        var channels: [PostService.TextCheck]
    }

    struct Group: Encodable {
        var groupID: String
        var posts: [Post]
        /// Posts that repeat another one on the same channel close in time (stored anyway).
        var warnings: [PostService.DuplicateWarning]
    }

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.post { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let body = try await JSONBody.decode(ScheduleBody.self, from: request, maxBytes: maxBodyBytes)
            let created = try await posts.schedule(PostService.ScheduleRequest(
                organizationID: organization.id,
                variants: body.variants.map { variant in
                    PostService.Variant(
                        integrationID: variant.integrationID, content: variant.content,
                        thread: (variant.thread ?? []).map { .init(content: $0.content, delaySeconds: $0.delaySeconds ?? 0) },
                        media: variant.media ?? [], threadMedia: (variant.thread ?? []).map { $0.media ?? [] }
                    )
                },
                publishAt: body.publishAt, timeZone: body.timeZone, recurrence: body.recurrence.map { .init(unit: $0.unit, every: $0.every, cron: $0.cron) },
                mode: body.draft == true ? .draft : .schedule, tags: body.tags ?? [], signature: body.signatureID, userID: context.userID,
                origin: context.origin(request)
            ))
            let warnings = try await posts.duplicateWarnings(for: created)
            return try JSONBody.response(Group(groupID: created.first?.groupID.uuidString ?? "", posts: created, warnings: warnings), status: .created)
        }
        // Before `:post`, so that "check" is not taken for a post id.
        group.post("check") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let body = try await JSONBody.decode(CheckBody.self, from: request, maxBytes: maxBodyBytes)
            var checks = try await posts.check(organizationID: organization.id, content: body.content, integrationIDs: body.integrationIDs)
            // The composer's counter shows the problem in the page's language.
            if let language = ErrorMessages.pageLanguage(of: request) {
                for index in checks.indices { checks[index].problem = checks[index].problem.map { ErrorMessages.bundled.translate($0, language) } }
            }
            return try JSONBody.response(Checks(channels: checks))
        }
        group.get { request, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            let query = request.uri.queryParameters
            var input = PostService.CalendarInput()
            input.from = query["from"].map { String($0) }
            input.to = query["to"].map { String($0) }
            input.integrationIDs = query.getAll("integration_id").map { String($0) }
            input.states = query.getAll("state").map { String($0) }
            input.tag = query["tag"].map { String($0) }
            input.customer = query["customer"].map { String($0) }
            input.cursor = query["cursor"].map { String($0) }
            input.limit = query["limit"].map { String($0) }
            let page = try await posts.calendar(organizationID: organization.id, input)
            return PostJSON.listing(page.posts, nextCursor: page.nextCursor)
        }
        group.patch(":post") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let body = try await JSONBody.decode(UpdateBody.self, from: request, maxBytes: maxBodyBytes)
            let updated = try await posts.update(
                organizationID: organization.id, postID: try context.parameters.require("post"), content: body.content,
                publishAt: body.publishAt, by: context.userID, origin: context.origin(request)
            )
            return try JSONBody.response(updated)
        }
        group.delete(":post") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            try await posts.delete(organizationID: organization.id, postID: try context.parameters.require("post"), by: context.userID, origin: context.origin(request))
            return Response(status: .noContent)
        }
        group.delete(":post/publication") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let post = try await posts.requestRemoval(
                organizationID: organization.id, postID: try context.parameters.require("post"), by: context.userID, origin: context.origin(request)
            )
            return try JSONBody.response(post, status: .accepted)
        }
        group.get(":post/metrics") { request, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            return try JSONBody.response(try await posts.metrics(
                organizationID: organization.id, postID: try context.parameters.require("post"), requestID: context.origin(request).requestID
            ))
        }
        group.get(":post") { _, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            return try JSONBody.response(try await posts.find(organizationID: organization.id, postID: try context.parameters.require("post")))
        }
    }
}
