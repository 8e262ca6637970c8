import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// Scheduling posts: validates a group against each channel's rules, stores it and schedules its publish
/// jobs in one step, so a post is either saved and scheduled or not saved at all.
struct PostService: Sendable {
    let database: Database
    let posts: PostRepository
    let integrations: IntegrationRepository
    let audit: AuditRepository
    let providers: ProviderRegistry
    let queue: JobQueue
    let templates: TemplateRepository
    let media: MediaRepository
    /// How close in time the same text on the same channel counts as a duplicate (a warning, not an error).
    let duplicateWindow: TimeInterval
    let logger: Logger
    /// Calendar queries return at most this many posts.
    static let listLimit = 1000

    /// One channel's text in a new post group, and the replies that follow it as a thread.
    struct Variant: Sendable {
        var integrationID: String
        var content: String
        var thread: [PostRepository.ThreadItem] = []
        /// Library file ids of the first item, and of each thread item (as sent; checked by ``checkMedia``).
        var media: [String] = []
        var threadMedia: [[String]] = []
    }
    static let maximumThreadItems = 25
    /// Bytes of UTF-8 one text may have, and all the texts of a group together, whatever a platform's counting
    /// rule says (Mastodon counts any URL as 23 characters, Bluesky a grapheme with many combining marks as
    /// one): what is stored and sent stays bounded.
    static let maximumTextBytes = 32 * 1024
    static let maximumGroupBytes = 256 * 1024
    /// The longest wait before a thread item, in seconds (the column allows no more).
    static let maximumDelaySeconds = 86_400

    /// A repeat rule as a client sent it: `unit` and `every`, or `cron`.
    struct RecurrenceInput: Sendable {
        var unit: String?
        var every: Int?
        var cron: String?
    }

    /// The recurrence `input` describes, or nil with its problems added to `problems`.
    static func recurrence(_ input: RecurrenceInput, problems: inout [String: String]) -> Recurrence? {
        if let cron = input.cron {
            if input.unit != nil || input.every != nil {
                problems["recurrence"] = "takes either unit and every, or cron, not both"
                return nil
            }
            do {
                return .rule(try CronRule(cron))
            } catch {
                problems["recurrence.cron"] = "\(error)"
                return nil
            }
        }
        let unit = input.unit.flatMap(Recurrence.Unit.init(rawValue:))
        let every = input.every.flatMap { (1...Recurrence.maximumEvery).contains($0) ? $0 : nil }
        if unit == nil {
            problems["recurrence.unit"] = "must be one of: " + Recurrence.Unit.allCases.map(\.rawValue).joined(separator: ", ") + " (or give cron instead)"
        }
        if every == nil { problems["recurrence.every"] = "must be 1 to \(Recurrence.maximumEvery)" }
        guard let unit, let every else { return nil }
        return Recurrence(unit: unit, every: every)
    }

    /// When a new post group goes out: at `publish_at` (which must be in the future), right away, or not yet (a
    /// draft, kept with its date but not scheduled).
    enum PublishMode: String, Sendable {
        case schedule, now, draft
    }

    /// A new post group as a client sent it: what ``schedule(_:)`` validates, stores and queues.
    struct ScheduleRequest: Sendable {
        var organizationID: UUID
        var variants: [Variant]
        /// ISO 8601; ignored when `mode` is `.now`.
        var publishAt: String
        /// An IANA zone (UTC when nil): recurrences keep their local time in it.
        var timeZone: String?
        var recurrence: RecurrenceInput?
        var mode: PublishMode = .schedule
        var tags: [String] = []
        /// A signature id, "none", or nil for the organization's default.
        var signature: String?
        /// Nil for the public API (an API key acts for the organization).
        var userID: UUID?
        var origin: RequestOrigin
        var now = Date()
    }

    /// A group that passed every check, ready to store.
    private struct ValidGroup {
        var posts: [PostRepository.NewPost]
        var publishAt: Date
        var timeZone: String
        var recurrence: Recurrence?
        var tags: [String]
    }

    /// Validates the group against each channel's rules, stores it, then queues the jobs of its scheduled posts
    /// (after the commit; the reconciler queues any Redis refused).
    /// - Throws: 422 naming every field that is wrong.
    func schedule(_ request: ScheduleRequest) async throws -> [Post] {
        let group = try await validated(request)
        let created = try await store(group, request)
        await scheduleJobs(for: created.filter { $0.state == .scheduled }, requestID: request.origin.requestID)
        return created
    }

    /// The group with its signature added, or 422 with every problem found.
    private func validated(_ request: ScheduleRequest) async throws -> ValidGroup {
        var fields: [String: String] = [:]
        let variants = try await signed(request.variants, signature: request.signature, organizationID: request.organizationID)
        let publishAt = request.mode == .now ? request.now : ISO8601Timestamp.parse(request.publishAt)
        if let publishAt {
            if request.mode == .schedule, publishAt <= request.now { fields["publish_at"] = "must be in the future" }
        } else {
            fields["publish_at"] = "must be an ISO 8601 timestamp with a time zone, such as 2026-12-01T09:00:00Z"
        }
        let tags = request.tags.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        if tags.count > 20 || tags.contains(where: { !(1...100).contains($0.count) }) { fields["tags"] = "must be at most 20 names of 1 to 100 characters" }
        let timeZone = request.timeZone ?? "UTC"
        if TimeZone(identifier: timeZone) == nil { fields["time_zone"] = "must be an IANA time zone such as Europe/Berlin" }
        let recurrence = request.recurrence.flatMap { Self.recurrence($0, problems: &fields) }
        if variants.isEmpty { fields["variants"] = "must name at least one channel" }
        if variants.count > 50 { fields["variants"] = "must name at most 50 channels" }
        let groupBytes = variants.reduce(0) { total, variant in total + variant.content.utf8.count + variant.thread.reduce(0) { $0 + $1.content.utf8.count } }
        if groupBytes > Self.maximumGroupBytes { fields["variants"] = "hold \(groupBytes) bytes of text together; at most \(Self.maximumGroupBytes) are accepted" }
        let (ids, channels) = try await checkChannels(variants, organizationID: request.organizationID, problems: &fields)
        let media = try await checkMedia(variants, channels: channels, organizationID: request.organizationID, problems: &fields)
        guard fields.isEmpty, let publishAt else { throw APIError.validation(fields) }
        let posts = variants.enumerated().map { index, variant in
            var thread = variant.thread
            for item in thread.indices { thread[item].mediaIDs = media[index].thread[item] }
            return PostRepository.NewPost(integrationID: ids[index]!, content: variant.content, thread: thread, mediaIDs: media[index].head)
        }
        return ValidGroup(posts: posts, publishAt: publishAt, timeZone: timeZone, recurrence: recurrence, tags: tags)
    }

    /// `variants` with a signature added to each channel's text: the one named, else the organization's
    /// default; "none" adds none.
    private func signed(_ variants: [Variant], signature: String?, organizationID: UUID) async throws -> [Variant] {
        guard signature != "none" else { return variants }
        let id = signature.flatMap(UUID.init(uuidString:))
        if signature != nil, id == nil { throw APIError.validation(["signature_id": "must be a signature id or \"none\""]) }
        let chosen = try await templates.signature(id: id, organizationID: organizationID, client: database)
        if id != nil, chosen == nil { throw APIError.validation(["signature_id": "is not a signature of this organization"]) }
        guard let chosen else { return variants }
        return variants.map { variant in
            var signed = variant
            signed.content += "\n\n" + chosen.text
            return signed
        }
    }

    /// Checks each variant against its channel (the organization's, connected, once per group) and the
    /// channel's platform rules; returns the channel ids as parsed (nil where not a UUID) and the channels found.
    private func checkChannels(_ variants: [Variant], organizationID: UUID, problems fields: inout [String: String]) async throws
        -> ([UUID?], [UUID: Integration]) {
        let ids = variants.map { UUID(uuidString: $0.integrationID) }
        let known = try await integrations.find(ids: ids.compactMap { $0 }, organizationID: organizationID, client: database)
        let byID = Dictionary(known.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var seen = Set<UUID>()
        for (index, variant) in variants.enumerated() {
            let path = "variants[\(index)]"
            guard let id = ids[index], let integration = byID[id] else {
                fields["\(path).integration_id"] = "is not a channel of this organization"
                continue
            }
            if !seen.insert(id).inserted { fields["\(path).integration_id"] = "names the same channel twice" }
            switch integration.state {
            case .connected: break
            case .disabled: fields["\(path).integration_id"] = "is disabled; enable the channel first"
            case .refreshNeeded: fields["\(path).integration_id"] = "needs to be reconnected first"
            }
            guard let provider = providers.provider(for: integration.provider) else {
                fields["\(path).integration_id"] = "is a \(integration.provider) channel, which ARKYRA cannot publish to"
                continue
            }
            if let problem = Self.contentProblem(variant.content, provider: provider) { fields["\(path).content"] = problem }
            if variant.thread.count > Self.maximumThreadItems { fields["\(path).thread"] = "must have at most \(Self.maximumThreadItems) items" }
            if !provider.takesThreads, !variant.thread.isEmpty { fields["\(path).thread"] = "\(provider.displayName) posts take no replies or comments; send one item" }
            for (itemIndex, item) in variant.thread.enumerated() {
                if let problem = Self.contentProblem(item.content, provider: provider) { fields["\(path).thread[\(itemIndex)].content"] = problem }
                if !(0...Self.maximumDelaySeconds).contains(item.delaySeconds) { fields["\(path).thread[\(itemIndex)].delay_seconds"] = "must be 0 to \(Self.maximumDelaySeconds)" }
            }
        }
        return (ids, byID)
    }

    /// Stores the group, its tags and the audit event in one transaction.
    private func store(_ group: ValidGroup, _ request: ScheduleRequest) async throws -> [Post] {
        try await database.inTransaction(logger: logger) { connection in
            let created = try await posts.createGroup(
                organizationID: request.organizationID, authorID: request.userID, posts: group.posts,
                state: request.mode == .draft ? .draft : .scheduled, publishAt: group.publishAt, timeZone: group.timeZone,
                recurrence: group.recurrence, on: connection
            )
            if !group.tags.isEmpty {
                try await posts.tag(created.map(\.id), with: group.tags, organizationID: request.organizationID, on: connection)
            }
            try await audit.record(
                AuditEvent(organizationID: request.organizationID, actorUserID: request.userID,
                           action: request.mode == .draft ? "post.drafted" : "post.scheduled",
                           targetType: "post_group", targetID: created.first?.groupID.uuidString, origin: request.origin),
                on: connection
            )
            return created
        }
    }

    /// Calendar filters as a client sent them.
    struct CalendarInput: Sendable {
        var from: String?
        var to: String?
        var integrationIDs: [String] = []
        var states: [String] = []
        var tag: String?
        var customer: String?
        var cursor: String?
        var limit: String?
        /// How the time range is named in errors (`from`/`to` here, `startDate`/`endDate` in the public API).
        var fromField = "from"
        var toField = "to"
    }

    /// One page of the calendar; `nextCursor` continues it (nil on the last page).
    struct CalendarPage: Sendable {
        var posts: [Post]
        var nextCursor: String?
    }

    /// Posts with `from <= publish_at < to` (at most 366 days apart), filtered and paged.
    func calendar(organizationID: UUID, _ input: CalendarInput) async throws -> CalendarPage {
        var fields: [String: String] = [:]
        let from = input.from.flatMap(ISO8601Timestamp.parse)
        let to = input.to.flatMap(ISO8601Timestamp.parse)
        if from == nil { fields[input.fromField] = "is required: an ISO 8601 timestamp" }
        if to == nil { fields[input.toField] = "is required: an ISO 8601 timestamp" }
        if let from, let to {
            if to <= from { fields[input.toField] = "must be after \(input.fromField)" }
            if to.timeIntervalSince(from) > 366 * 86_400 { fields[input.toField] = "must be at most 366 days after \(input.fromField)" }
        }
        let integrationIDs = input.integrationIDs.map { UUID(uuidString: $0) }
        if integrationIDs.contains(nil) { fields["integration_id"] = "must be channel ids" }
        let states = input.states.map { PostState(rawValue: $0) }
        if states.contains(nil) { fields["state"] = "must be one of: " + PostState.allCases.map(\.rawValue).joined(separator: ", ") }
        if let tag = input.tag, !(1...100).contains(tag.count) || tag.contains("\u{0}") { fields["tag"] = "must be a tag name" }
        let customer = input.customer.map { UUID(uuidString: $0) }
        if customer == .some(nil) { fields["customer"] = "must be a customer id" }
        let cursor = input.cursor.map { UUID(uuidString: $0) }
        if cursor == .some(nil) { fields["cursor"] = "must be a next_cursor this API returned" }
        let limit = input.limit.map { Int($0) } ?? Self.listLimit
        if limit.map({ !(1...Self.listLimit).contains($0) }) ?? true { fields["limit"] = "must be 1 to \(Self.listLimit)" }
        guard fields.isEmpty, let from, let to, let limit else { throw APIError.validation(fields) }
        let posts = try await self.posts.list(organizationID: organizationID, PostRepository.CalendarQuery(
            from: from, to: to, integrationIDs: integrationIDs.isEmpty ? nil : integrationIDs.compactMap { $0 },
            states: states.isEmpty ? nil : states.compactMap { $0 }, tag: input.tag, customerID: customer ?? nil, after: cursor ?? nil, limit: limit
        ), client: database)
        return CalendarPage(posts: try await self.posts.attachMedia(to: posts, client: database), nextCursor: posts.count == limit ? posts.last?.id.uuidString : nil)
    }

    /// Changes the text or time of a post that has not started publishing; its job moves with it once the
    /// change is committed. A post being published is refused with 409 rather than changed behind the worker.
    func update(organizationID: UUID, postID rawID: String, content: String?, publishAt rawPublishAt: String?,
                by userID: UUID?, origin: RequestOrigin, now: Date = Date()) async throws -> Post {
        guard let id = UUID(uuidString: rawID) else { throw APIError.notFound("post") }
        var fields: [String: String] = [:]
        var publishAt: Date?
        if let rawPublishAt {
            publishAt = ISO8601Timestamp.parse(rawPublishAt)
            if let publishAt, publishAt <= now { fields["publish_at"] = "must be in the future" }
            if publishAt == nil { fields["publish_at"] = "must be an ISO 8601 timestamp with a time zone" }
        }
        if content == nil, rawPublishAt == nil { fields["body"] = "must change content or publish_at" }
        guard fields.isEmpty else { throw APIError.validation(fields) }
        let updated = try await database.inTransaction(logger: logger) { connection in
            guard let post = try await posts.lock(id: id, organizationID: organizationID, on: connection) else { throw APIError.notFound("post") }
            try Self.requireChangeable(post)
            let newContent = content ?? post.content
            if let content {
                let integration = try await integrations.find(ids: [post.integrationID], organizationID: organizationID, client: database).first
                if let integration, let provider = providers.provider(for: integration.provider), let problem = Self.contentProblem(content, provider: provider) {
                    throw APIError.validation(["content": problem])
                }
            }
            guard let updated = try await posts.update(id: id, content: newContent, publishAt: publishAt ?? post.publishAt, on: connection) else {
                throw APIError.notFound("post")
            }
            try await audit.record(
                AuditEvent(organizationID: organizationID, actorUserID: userID, action: "post.updated", targetType: "post", targetID: id.uuidString, origin: origin),
                on: connection
            )
            return updated
        }
        if updated.state == .scheduled { await scheduleJobs(for: [updated], requestID: origin.requestID) }
        return updated
    }

    /// Deletes a post and the rest of its thread below it (items already released included), unless one of
    /// them is being published; their jobs are cancelled once the deletion is committed.
    func delete(organizationID: UUID, postID rawID: String, by userID: UUID?, origin: RequestOrigin) async throws {
        guard let id = UUID(uuidString: rawID) else { throw APIError.notFound("post") }
        let deleted = try await database.inTransaction(logger: logger) { connection -> [UUID] in
            let thread = try await posts.lockThread(from: id, organizationID: organizationID, on: connection)
            guard thread.contains(where: { $0.id == id }) else { throw APIError.notFound("post") }
            return try await deleteLocked(thread, recording: AuditEvent(
                organizationID: organizationID, actorUserID: userID, action: "post.deleted", targetType: "post", targetID: id.uuidString, origin: origin
            ), on: connection)
        }
        await cancelJobs(of: deleted)
    }

    /// Deletes posts locked in the caller's transaction and records `event`; returns their ids, whose jobs the
    /// caller cancels after the commit.
    /// - Throws: 409 when one of them is being published (nothing is deleted).
    func deleteLocked(_ locked: [Post], recording event: AuditEvent, on connection: PostgresConnection) async throws -> [UUID] {
        if let publishing = locked.first(where: { $0.state == .publishing }) { try Self.requireChangeable(publishing) }
        try await posts.softDelete(ids: locked.map(\.id), on: connection)
        try await audit.record(event, on: connection)
        return locked.map(\.id)
    }

    /// Schedules the publish jobs of committed posts (JobQueue+Publishing.swift).
    func scheduleJobs(for scheduled: [Post], requestID: String?) async {
        await queue.schedulePublishing(scheduled, requestID: requestID, logger: logger)
    }

    /// Cancels the jobs of committed deletions or drafts. A job that stays (Redis refused) is harmless: the
    /// worker finds its post deleted or not scheduled and drops it.
    func cancelJobs(of ids: [UUID]) async {
        for id in ids {
            do {
                try await queue.cancel(jobID: id.uuidString)
            } catch {
                logger.warning("job not cancelled; the worker will drop it", metadata: ["post_id": "\(id)", "error": "\(error)"])
            }
        }
    }

    /// What is wrong with `content` for `provider`, or nil.
    static func contentProblem(_ content: String, provider: any Provider) -> String? {
        if content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return "must not be empty" }
        if content.utf8.count > maximumTextBytes { return "is \(content.utf8.count) bytes; at most \(maximumTextBytes) are accepted" }
        let length = provider.characterCount(of: content)
        if length > provider.maximumCharacters {
            let rule = provider.countingRule.map { " (\($0))" } ?? ""
            return "is \(length) characters; \(provider.identifier) takes at most \(provider.maximumCharacters)\(rule)"
        }
        return provider.textProblem(content)
    }

    static func requireChangeable(_ post: Post) throws {
        switch post.state {
        case .scheduled, .draft, .waiting: return
        case .publishing:
            throw APIError(.conflict, "post_publishing", "this post is being published right now and cannot be changed; check it again in a moment")
        case .published, .failed, .unconfirmed:
            throw APIError(.conflict, "post_finished", "this post is already \(post.state.rawValue); schedule a new one instead")
        }
    }

    /// The tag names of each of `ids`.
    func tagNames(of ids: [UUID]) async throws -> [UUID: [String]] {
        ids.isEmpty ? [:] : try await posts.tagNames(of: ids, client: database)
    }

    /// The organization's tags, by name (the calendar's tag filter).
    func tagNames(organizationID: UUID) async throws -> [String] {
        try await posts.tagNames(organizationID: organizationID, client: database)
    }

    func find(organizationID: UUID, postID rawID: String) async throws -> Post {
        guard let id = UUID(uuidString: rawID), let post = try await posts.find(id: id, organizationID: organizationID, client: database) else {
            throw APIError.notFound("post")
        }
        return try await posts.attachMedia(to: [post], client: database)[0]
    }
}
