import ArkyraCore
import Foundation
import PostgresNIO

/// Whole post groups, draft ↔ scheduled, and the next free posting slot of a channel.
extension PostService {
    /// The posts of a group.
    /// - Throws: 404 when the organization has no such group.
    func group(organizationID: UUID, groupID rawID: String) async throws -> [Post] {
        guard let id = UUID(uuidString: rawID) else { throw APIError.notFound("post group") }
        let found = try await posts.group(id, organizationID: organizationID, client: database)
        if found.isEmpty { throw APIError.notFound("post group") }
        return try await posts.attachMedia(to: found, client: database)
    }

    /// Deletes every post of a group with every item of its threads, in one transaction; their jobs are
    /// cancelled once it is committed.
    /// - Throws: 404 for an unknown group; 409 while one of its posts is being published (nothing is deleted).
    func deleteGroup(organizationID: UUID, groupID rawID: String, by userID: UUID?, origin: RequestOrigin) async throws {
        guard let groupID = UUID(uuidString: rawID) else { throw APIError.notFound("post group") }
        let deleted = try await database.inTransaction(logger: logger) { connection -> [UUID] in
            let members = try await posts.lockGroup(groupID, organizationID: organizationID, on: connection)
            if members.isEmpty { throw APIError.notFound("post group") }
            return try await deleteLocked(members, recording: AuditEvent(
                organizationID: organizationID, actorUserID: userID, action: "post_group.deleted", targetType: "post_group",
                targetID: groupID.uuidString, origin: origin
            ), on: connection)
        }
        await cancelJobs(of: deleted)
    }

    /// Moves a post between draft and scheduled. Scheduling needs a time in the future (the post's own, or
    /// `publishAt`); drafting cancels its job. Jobs change once the change is committed.
    /// - Throws: 404, 409 for a post that is publishing or finished, 422 for a time in the past.
    func changeStatus(organizationID: UUID, postID rawID: String, to status: String, publishAt rawPublishAt: String?,
                      by userID: UUID?, origin: RequestOrigin, now: Date = Date()) async throws -> Post {
        guard let id = UUID(uuidString: rawID) else { throw APIError.notFound("post") }
        guard let target = ["draft": PostState.draft, "schedule": .scheduled, "scheduled": .scheduled][status] else {
            throw APIError.validation(["status": "must be draft or schedule"])
        }
        let publishAt = try rawPublishAt.map { raw -> Date in
            guard let date = ISO8601Timestamp.parse(raw) else { throw APIError.validation(["date": "must be an ISO 8601 timestamp with a time zone"]) }
            return date
        }
        let changed = try await database.inTransaction(logger: logger) { connection in
            guard let post = try await posts.lock(id: id, organizationID: organizationID, on: connection), post.parentID == nil else {
                throw APIError.notFound("post")
            }
            try Self.requireChangeable(post)
            if target == .scheduled, (publishAt ?? post.publishAt ?? now) <= now {
                throw APIError.validation(["date": "must be in the future to schedule the post"])
            }
            guard let changed = try await posts.setState(target, id: id, publishAt: publishAt, on: connection) else { throw APIError.notFound("post") }
            try await audit.record(
                AuditEvent(organizationID: organizationID, actorUserID: userID, action: target == .draft ? "post.drafted" : "post.scheduled",
                           targetType: "post", targetID: id.uuidString, origin: origin),
                on: connection
            )
            return changed
        }
        if changed.state == .scheduled {
            await scheduleJobs(for: [changed], requestID: origin.requestID)
        } else {
            await cancelJobs(of: [id])
        }
        return changed
    }

    /// The first of the channel's posting times (minutes after midnight UTC; by default 02:00, 06:40 and 11:40,
    /// as in Postiz) after `now` with no post of the channel in that minute.
    /// - Throws: 404 for a channel of another organization.
    func nextFreeSlot(organizationID: UUID, integrationID rawID: String, now: Date = Date()) async throws -> Date {
        guard let id = UUID(uuidString: rawID),
              let channel = try await integrations.find(ids: [id], organizationID: organizationID, client: database).first
        else { throw APIError.notFound("integration") }
        let horizon = 90
        let dayStart = (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        let taken = Set(try await posts.publishTimes(
            integrationID: id, from: now, to: Date(timeIntervalSince1970: dayStart + Double(horizon + 1) * 86_400), client: database
        ).map { Int($0.timeIntervalSince1970 / 60) })
        for day in 0...horizon {
            for minute in channel.postingTimes.sorted() {
                let slot = Date(timeIntervalSince1970: dayStart + Double(day) * 86_400 + Double(minute) * 60)
                if slot > now, !taken.contains(Int(slot.timeIntervalSince1970 / 60)) { return slot }
            }
        }
        throw APIError(.conflict, "no_free_slot", "every posting time of this channel in the next \(horizon) days is taken")
    }

    /// A new post whose text the same channel already has close in time.
    struct DuplicateWarning: Encodable, Sendable {
        var postID: UUID
        var integrationID: UUID
        var duplicateOf: UUID
        var message: String
    }

    /// Warnings for the heads of `created` that repeat, on the same channel, the text of another post
    /// scheduled within ``duplicateWindow`` of them (Postiz lets such posts through silently, postiz-app#1779).
    func duplicateWarnings(for created: [Post]) async throws -> [DuplicateWarning] {
        guard duplicateWindow > 0 else { return [] }
        var warnings: [DuplicateWarning] = []
        for post in created where post.parentID == nil {
            guard let publishAt = post.publishAt,
                  let twin = try await posts.sameContent(as: post, around: publishAt, within: duplicateWindow, client: database)
            else { continue }
            let hours = Int(duplicateWindow / 3600)
            warnings.append(DuplicateWarning(
                postID: post.id, integrationID: post.integrationID, duplicateOf: twin,
                message: "this channel already has the same text scheduled within \(hours) hours of this post"
            ))
        }
        return warnings
    }
}
