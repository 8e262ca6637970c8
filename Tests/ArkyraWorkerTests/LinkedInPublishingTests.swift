import ArkyraCore
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import Testing

@Suite("Worker: publishing to LinkedIn (a member's posts, threads as comments, daily limits)")
struct LinkedInPublishingTests {
    @Test("images are registered, uploaded and attached: one as media, several as a multi-image post, each with its alt text; on a Page too")
    func images() async throws {
        try await PublishingWorld.run { world in
            let storage = LocalFileStorage(configuration: StorageConfiguration(localPath: NSTemporaryDirectory() + "arkyra-li-\(UUID().uuidString)"),
                                           publicURL: "http://127.0.0.1", signingSecret: [7])
            let handler = MediaPublishingTests.handler(world, storage: storage)
            let member = try await world.connectLinkedIn()
            let page = try await world.connectLinkedInPage()
            let files = try await MediaPublishingTests.images(4, world: world, storage: storage, alt: "A chart")
            let one = try await FacebookPublishingTests.post(world, channel: member, "One chart", media: [files[0]])[0]
            let three = try await FacebookPublishingTests.post(world, channel: page, "Three charts", media: Array(files[1...]))[0]
            for post in [one, three] {
                try await handler.handle(PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
                let published = try await world.reload(post)
                #expect(published.state == .published, "\(published.error ?? "")")
            }
            let posts = try await world.sandbox.execute(uri: "/_sandbox/linkedin/posts", method: .get) { $0.json["posts"] as? [[String: Any]] ?? [] }
            let images = posts.map { ($0["images"] as? [[String: Any]]) ?? [] }
            #expect(images.map(\.count) == [1, 3])
            #expect(images.first?.first?["alt"] as? String == "A chart")
            #expect(images[1].allSatisfy { ($0["urn"] as? String)?.hasPrefix("urn:li:image:") == true })
            #expect((posts.last?["author"] as? String)?.hasPrefix("urn:li:organization:") == true)
        }
    }

    @Test("a post with LinkedIn's reserved characters shows as written; a thread's later items are comments on its first")
    func publishesThreads() async throws {
        try await PublishingWorld.run { fixture in
            let channel = try await fixture.connectLinkedIn()
            let texts = ["Launch day (finally) #1 @team [beta] 50% off_now", "Details: https://example.com/a_b", "Thanks {all} <3"]
            let thread = try await fixture.database.inTransaction(logger: TestEnvironment.logger) { connection in
                try await fixture.posts.createGroup(
                    organizationID: fixture.organizationID, authorID: fixture.userID,
                    posts: [.init(integrationID: channel, content: texts[0], thread: texts.dropFirst().map { .init(content: $0, delaySeconds: 0) })],
                    state: .scheduled, publishAt: Date(), timeZone: "UTC", on: connection
                )
            }
            for item in thread {
                try await fixture.handler.handle(PublishJob(postID: item.id, organizationID: fixture.organizationID).job(requestID: nil), context: .first)
            }
            let published = try await thread.asyncMap { try await fixture.reload($0) }
            #expect(published.map(\.state) == [.published, .published, .published])
            let posts = try await fixture.linkedInPosts()
            #expect(posts.count == 1)
            let post = try #require(posts.first)
            #expect(post["shown_text"] as? String == texts[0])
            #expect(published[0].platformPostID == post["urn"] as? String)
            #expect(published[0].platformURL == "https://www.linkedin.com/feed/update/\(post["urn"] as? String ?? "")/")
            let comments = try #require(post["comments"] as? [[String: Any]])
            #expect(comments.map { LinkedInTextShown.shown($0["text"] as? String ?? "") } == Array(texts.dropFirst()))
            #expect(comments.map { $0["urn"] as? String } == published.dropFirst().map(\.platformPostID))
            let member = try await fixture.externalID(of: channel)
            #expect(comments.allSatisfy { $0["actor"] as? String == "urn:li:person:\(member)" })
        }
    }

    @Test("an expired token is refreshed and the kept refresh token stays; a post LinkedIn may have made is left for a person, never sent twice")
    func refreshAndUnknownOutcome() async throws {
        try await PublishingWorld.run { fixture in
            let channel = try await fixture.connectLinkedIn()
            let before = try await fixture.openedCredentials(of: channel)
            try await fixture.sandbox.execute(uri: "/_sandbox/linkedin/accounts/\(try await fixture.externalID(of: channel))/expire-tokens", method: .post) { #expect($0.status == .noContent) }
            let (first, firstJob) = try await fixture.schedulePost("After the refresh", on: channel)
            try await fixture.handler.handle(firstJob.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(first).state == .published)
            let after = try await fixture.openedCredentials(of: channel)
            #expect(after.accessToken != before.accessToken)
            #expect(after.refreshToken != nil)
            #expect(after.refreshToken == before.refreshToken)

            try await fixture.fault("timeout_after_accept", platform: "linkedin", extra: ["delay": 6])
            let (unknown, unknownJob) = try await fixture.schedulePost("Did it go out?", on: channel)
            try await fixture.handler.handle(unknownJob.job(requestID: nil), context: .first)
            let settled = try await fixture.reload(unknown)
            #expect(settled.state == .unconfirmed)
            #expect(settled.error?.contains("please check") == true)
            #expect(try await fixture.linkedInPosts().count == 2)
        }
    }

    @Test("LinkedIn's refusals end the post in words: the same text twice fails it, a used-up daily limit waits for midnight UTC")
    func refusals() async throws {
        try await PublishingWorld.run { fixture in
            let channel = try await fixture.connectLinkedIn()
            let (first, firstJob) = try await fixture.schedulePost("Same words", on: channel)
            try await fixture.handler.handle(firstJob.job(requestID: nil), context: .first)
            let (again, againJob) = try await fixture.schedulePost("Same words", on: channel)
            try await fixture.handler.handle(againJob.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(first).state == .published)
            let refused = try await fixture.reload(again)
            #expect(refused.state == .failed)
            #expect(refused.error?.contains("same text twice") == true)

            try await fixture.fault("rate_limit", platform: "linkedin")
            let (limited, limitedJob) = try await fixture.schedulePost("Tomorrow, then", on: channel)
            try await fixture.handler.handle(limitedJob.job(requestID: nil), context: .first)
            #expect(try await fixture.reload(limited).state == .scheduled)
            let retryAt = try #require(try await fixture.queue.dueTime(ofJob: limited.id.uuidString))
            let midnight = LinkedInProvider.nextMidnightUTC(after: Date())
            #expect(abs(retryAt.timeIntervalSince(midnight)) < 5)
        }
    }
}

/// What a reader sees of little-text-format text (the sandbox's rule, restated for comments).
private enum LinkedInTextShown {
    static func shown(_ text: String) -> String {
        text.replacing(/\\(.)/) { String($0.output.1) }
    }
}

@Suite("Worker: publishing to a LinkedIn company Page (the member's token, the Page as author)")
struct LinkedInPagePublishingTests {
    @Test("a thread on a Page: the post and its comments are by the organization, and the Page's post can be deleted")
    func pageThread() async throws {
        try await PublishingWorld.run { world in
            let channel = try await world.connectLinkedInPage()
            let organization = try await world.externalID(of: channel)
            let items = try await FacebookPublishingTests.post(world, channel: channel, "We are hiring", thread: ["Apply by Friday"])
            for item in items {
                try await world.handler.handle(PublishJob(postID: item.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            }
            let published = try await items.asyncMap { try await world.reload($0) }
            #expect(published.map(\.state) == [.published, .published], "\(published.map { $0.error ?? "" })")
            let posts = try await world.linkedInPosts()
            #expect(posts.map { $0["author"] as? String } == ["urn:li:organization:\(organization)"])
            let comments = try #require(posts.first?["comments"] as? [[String: Any]])
            #expect(comments.map { $0["actor"] as? String } == ["urn:li:organization:\(organization)"])
            let provider = LinkedInPageProvider(http: world.platformHTTP, app: world.platforms.linkedIn)
            let credentials = try await world.openedCredentials(of: channel)
            try await provider.delete(DeleteRequest(credentials: credentials, platformID: try #require(published[1].platformPostID), accountID: organization))
            try await provider.delete(DeleteRequest(credentials: credentials, platformID: try #require(published[0].platformPostID), accountID: organization))
            #expect(try await world.linkedInPosts().isEmpty)
        }
    }
}
