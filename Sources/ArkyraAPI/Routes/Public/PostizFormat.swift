import ArkyraCore
import Foundation

/// The shapes of Postiz's public API, so its SDK, n8n node, CLI and agents work against ARKYRA unchanged.
enum PostizFormat {
    /// Runs `body`, naming the fields of a validation error as a Postiz client sent them (`date`,
    /// `posts[0].value[1].content`) rather than as ARKYRA's own API calls them (`publish_at`,
    /// `variants[0].thread[0].content`).
    static func inPostizTerms<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch var error as APIError where error.fields != nil {
            error.fields = Dictionary(error.fields!.map(fieldInPostizTerms), uniquingKeysWith: { first, _ in first })
            throw error
        }
    }

    /// One field of a validation error, renamed (and its message adjusted where the units differ).
    static func fieldInPostizTerms(_ name: String, _ rawMessage: String) -> (String, String) {
        let message = rawMessage.replacingOccurrences(of: "publish_at", with: "date")
        if name == "publish_at" { return ("date", message) }
        if name == "variants" { return ("posts", message) }
        guard name.hasPrefix("variants[") else { return (name, message) }
        var rest = Substring(name.dropFirst("variants[".count))
        guard let close = rest.firstIndex(of: "]"), let index = Int(rest[..<close]) else { return (name, message) }
        rest = rest[rest.index(after: close)...]
        let post = "posts[\(index)]"
        if rest.hasPrefix(".media[") { return ("\(post).value[0].image" + rest.dropFirst(".media".count), message) }
        switch rest {
        case ".integration_id": return ("\(post).integration.id", message)
        case ".content": return ("\(post).value[0].content", message)
        case ".media": return ("\(post).value[0].image", message)
        case ".thread": return ("\(post).value", "must have at most \(PostService.maximumThreadItems + 1) items: the post and its comments")
        default: break
        }
        guard rest.hasPrefix(".thread["), let itemClose = rest.firstIndex(of: "]"),
              let item = Int(rest[rest.index(rest.startIndex, offsetBy: ".thread[".count)..<itemClose]) else { return (name, message) }
        let value = "\(post).value[\(item + 1)]"
        switch rest[rest.index(after: itemClose)...] {
        case ".content": return ("\(value).content", message)
        case ".delay_seconds": return ("\(value).delay", "must be 0 to \(PostService.maximumDelaySeconds * 1000) (milliseconds)")
        case ".media": return ("\(value).image", message)
        default:
            // `.media[N]` of an item: the image at N.
            let tail = rest[rest.index(after: itemClose)...]
            if tail.hasPrefix(".media[") { return ("\(value).image" + tail.dropFirst(".media".count), message) }
            return (name, message)
        }
    }

    /// `POST /public/v1/posts`. Like Postiz, fields this API does not use are ignored (`shortLink`, ...).
    struct CreateBody: StrictDecodable {
        typealias Fields = CodingKeys
        var type: String
        var date: String?
        var tags: [Tag]?
        var posts: [Variant]
        enum CodingKeys: String, CodingKey, CaseIterable { case type, date, tags, posts }

        static func unknownFields(in object: [String: Any], path: String) -> [String: String] { [:] }

        struct Tag: Decodable {
            var value: String?
            var label: String?
        }

        struct Variant: Decodable {
            var integration: Reference
            var value: [Item]
        }

        struct Reference: Decodable {
            var id: String
        }

        /// One message: the post, then its comments (a thread). `delay` is in milliseconds, as in Postiz.
        struct Item: Decodable {
            var content: String
            var image: [Image]?
            var delay: Int?

            /// `delay` in whole seconds, rounded down, so that a negative delay stays negative (and is refused).
            var delaySeconds: Int { Int((Double(delay ?? 0) / 1000).rounded(.down)) }
        }

        struct Image: Decodable {
            var id: String?
            var path: String?
        }
    }

    /// `PUT`/`PATCH /public/v1/posts/:id`: new content and/or date.
    struct UpdateBody: StrictDecodable {
        typealias Fields = CodingKeys
        var content: String?
        var date: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case content, date }
    }

    /// `PUT /public/v1/posts/:id/status`.
    struct StatusBody: StrictDecodable {
        typealias Fields = CodingKeys
        var status: String
        var date: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case status, date }
    }

    /// `PUT /public/v1/posts/:id/release-id`.
    struct ReleaseIDBody: StrictDecodable {
        typealias Fields = CodingKeys
        var releaseId: String
        enum CodingKeys: String, CodingKey, CaseIterable { case releaseId }
    }

    /// One page of `GET /public/v1/notifications`, as Postiz pages them (100 a page, from page 0).
    struct NotificationPage: Encodable {
        var notifications: [Entry]
        var total: Int
        var page: Int
        var limit: Int
        var hasMore: Bool

        struct Entry: Encodable {
            var id: String
            var content: String
            var link: String?
            var createdAt: String
        }
    }

    /// A channel as Postiz lists it.
    struct Integration: Encodable {
        var id: String
        var name: String
        var identifier: String
        var picture: String?
        var disabled: Bool
        var profile: String
        var customer: Customer?

        struct Customer: Encodable {
            var id: String
            var name: String
        }

        init(_ integration: ArkyraCore.Integration, customer: CustomerRepository.Customer?) {
            id = integration.id.uuidString
            name = integration.name
            identifier = integration.provider
            picture = integration.avatarURL
            disabled = integration.state != .connected
            profile = integration.username
            self.customer = customer.map { Customer(id: $0.id.uuidString, name: $0.name) }
        }
    }

    /// A post as Postiz's public API answers it (`id, content, publishDate, releaseURL, releaseId, state,
    /// intervalInDays, group, settings, tags, integration`), plus ARKYRA's `parentId`, `error` and
    /// `arkyraState` (the finer state behind Postiz's four).
    struct Post: Encodable {
        var id: String
        var content: String
        var publishDate: String?
        var releaseURL: String?
        var releaseId: String?
        var state: String
        /// Days between occurrences of a repeating post (Postiz repeats only by days); null otherwise.
        var intervalInDays: Int?
        var group: String
        /// Postiz keeps the provider settings of a post as a JSON string; ARKYRA has none yet: `"{}"`.
        var settings: String
        /// Postiz keeps a post's media as a JSON string too: `[{"id", "path"}]`.
        var image: String
        var tags: [TagLink]
        var integration: IntegrationReference
        var parentId: String?
        var error: String?
        var arkyraState: String

        /// Postiz lists a post's tags as `{ "tag": { "name": ... } }`.
        struct TagLink: Encodable {
            var tag: Tag
            struct Tag: Encodable { var name: String }
        }

        struct IntegrationReference: Encodable {
            var id: String
            var providerIdentifier: String?
            var name: String?
            var picture: String?
        }

        init(_ post: ArkyraCore.Post, tags: [String], channel: ArkyraCore.Integration?, images: [(id: UUID, path: String)] = []) {
            id = post.id.uuidString
            content = post.content
            publishDate = post.publishAt.map(ISO8601Timestamp.format)
            releaseURL = post.platformURL
            releaseId = post.platformPostID
            state = Self.state(post.state)
            intervalInDays = Self.intervalInDays(post.recurrence)
            group = post.groupID.uuidString
            settings = "{}"
            let entries = images.map { ["id": $0.id.uuidString, "path": $0.path] }
            image = (try? JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys, .withoutEscapingSlashes]))
                .map { String(decoding: $0, as: UTF8.self) } ?? "[]"
            self.tags = tags.map { TagLink(tag: .init(name: $0)) }
            integration = IntegrationReference(
                id: post.integrationID.uuidString, providerIdentifier: channel?.provider, name: channel?.name, picture: channel?.avatarURL
            )
            parentId = post.parentID?.uuidString
            error = post.error
            arkyraState = post.state.rawValue
        }

        /// Postiz's post states: QUEUE, PUBLISHED, ERROR, DRAFT.
        static func state(_ state: PostState) -> String {
            switch state {
            case .draft: "DRAFT"
            case .waiting, .scheduled, .publishing: "QUEUE"
            case .published: "PUBLISHED"
            case .failed, .unconfirmed: "ERROR"
            }
        }

        /// A repeat every N days or weeks in days; rules that are not a fixed number of days have none.
        static func intervalInDays(_ recurrence: Recurrence?) -> Int? {
            guard case .interval(let unit, let every) = recurrence else { return nil }
            return unit == .day ? every : every * 7
        }
    }

    /// One created post, per channel, as Postiz answers a create (plus its group).
    struct Created: Encodable {
        var postId: String
        var integration: String
        var group: String
    }
}
