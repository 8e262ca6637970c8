import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Posts written as JSON by hand: calendar pages carry many posts and Foundation's encoder (with its
/// snake_case key conversion) was a quarter of the API's work on them. The output is what ``JSONBody``'s
/// encoder writes for ``Post`` (keys sorted, absent values left out); a test compares the two.
enum PostJSON {
    /// `{"next_cursor": …, "posts": […]}` as a response.
    static func listing(_ posts: [Post], nextCursor: String?) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: listingText(posts, nextCursor: nextCursor))))
    }

    /// The listing's JSON text.
    static func listingText(_ posts: [Post], nextCursor: String?) -> String {
        var json = "{"
        if let nextCursor {
            json += "\"next_cursor\":"
            JSONText.appendQuoted(nextCursor, to: &json)
            json += ","
        }
        json += "\"posts\":["
        for (index, post) in posts.enumerated() {
            if index > 0 { json += "," }
            append(post, to: &json)
        }
        json += "]}"
        return json
    }

    /// Appends one post as a JSON object.
    static func append(_ post: Post, to json: inout String) {
        var first = true
        func key(_ name: String) {
            json += first ? "\"" : ",\""
            first = false
            json += name
            json += "\":"
        }
        func string(_ name: String, _ value: String?) {
            guard let value else { return }
            key(name)
            JSONText.appendQuoted(value, to: &json)
        }
        func uuid(_ name: String, _ value: UUID?) {
            guard let value else { return }
            key(name)
            JSONText.appendQuoted(value, to: &json)
        }
        func date(_ name: String, _ value: Date?) { string(name, value.map(ISO8601Timestamp.format)) }
        json += "{"
        key("attempt"); json += String(post.attempt)
        string("content", post.content)
        date("created_at", post.createdAt)
        string("error", post.error)
        uuid("group_id", post.groupID)
        uuid("id", post.id)
        uuid("integration_id", post.integrationID)
        key("media_ids"); json += "["
        for (index, id) in post.mediaIDs.enumerated() {
            if index > 0 { json += "," }
            JSONText.appendQuoted(id, to: &json)
        }
        json += "]"
        uuid("organization_id", post.organizationID)
        uuid("parent_id", post.parentID)
        string("platform_post_id", post.platformPostID)
        if let removal = post.platformRemoval {
            key("platform_removal")
            let outer = first
            first = true
            json += "{"
            string("error", removal.error)
            date("removed_at", removal.removedAt)
            date("requested_at", removal.requestedAt)
            uuid("requested_by", removal.requestedBy)
            string("state", removal.state.rawValue)
            json += "}"
            first = outer
        }
        string("platform_url", post.platformURL)
        key("position"); json += String(post.position)
        date("publish_at", post.publishAt)
        date("published_at", post.publishedAt)
        switch post.recurrence {
        case .interval(let unit, let every)?:
            key("recurrence"); json += "{\"every\":\(every),\"unit\":\"\(unit.rawValue)\"}"
        case .rule(let rule)?:
            key("recurrence"); json += "{\"cron\":"; JSONText.appendQuoted(rule.expression, to: &json); json += "}"
        case nil:
            break
        }
        string("state", post.state.rawValue)
        string("time_zone", post.timeZone)
        date("updated_at", post.updatedAt)
        json += "}"
    }
}
