@testable import ArkyraAPI
import ArkyraCore
import Foundation
import Hummingbird
import NIOCore
import Testing

@Suite("API: posts written as JSON by hand")
struct PostJSONTests {
    /// The page as Foundation's encoder writes it, the reference.
    struct Listing: Encodable {
        var posts: [Post]
        var nextCursor: String?
    }

    @Test("a calendar page reads exactly like Foundation's encoding of it, for every kind of post")
    func sameAsEncoder() async throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000.123)
        func post(_ content: String, parent: UUID? = nil, recurrence: Recurrence? = nil, finished: Bool = false) -> Post {
            Post(id: UUID(), organizationID: UUID(), groupID: UUID(), parentID: parent, position: parent == nil ? 0 : 1, integrationID: UUID(),
                 content: content, state: finished ? .failed : .scheduled, publishAt: finished ? nil : now, timeZone: "Europe/Berlin",
                 platformPostID: finished ? "109/1" : nil, platformURL: finished ? "https://example.social/@a/1" : nil,
                 error: finished ? "refused: \"no\"" : nil, publishedAt: finished ? now : nil, createdAt: now, updatedAt: now.addingTimeInterval(1),
                 attempt: finished ? 2 : 0, recurrence: recurrence)
        }
        var posts = [
            post("plain"),
            post("quotes \" and \\ backslash, line\nbreak, tab\t, control \u{1} and emoji 👍🏽 and / slash", parent: UUID()),
            post("daily", recurrence: Recurrence(unit: .day, every: 2)),
            post("weekdays", recurrence: .rule(try CronRule("0 9 * * MON-FRI"))),
            post("failed", finished: true),
        ]
        posts[4].platformRemoval = PlatformRemoval(state: .failed, requestedAt: now, requestedBy: UUID(), error: "refused: \"gone\"")
        posts[3].platformRemoval = PlatformRemoval(state: .removed, requestedAt: now, requestedBy: nil, removedAt: now.addingTimeInterval(2))
        for cursor in [nil, "A1B2"] as [String?] {
            let reference = try JSONSerialization.jsonObject(with: try JSONBody.encoder.encode(Listing(posts: posts, nextCursor: cursor))) as? NSDictionary
            let fast = try JSONSerialization.jsonObject(with: Data(PostJSON.listingText(posts, nextCursor: cursor).utf8)) as? NSDictionary
            #expect(fast == reference)
        }
    }
}
