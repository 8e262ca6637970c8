import ArkyraCore
import ArkyraTestSupport
@testable import ArkyraWorker
import Foundation
import Testing

@Suite("Worker: publishing Pins to a Pinterest board")
struct PinterestPublishingTests {
    @Test("a post with an image becomes a Pin (title from the first line, the link found in the text, alt text); its counts are read; it is deleted")
    func pin() async throws {
        try await PublishingWorld.run { world in
            let storage = LocalFileStorage(configuration: StorageConfiguration(localPath: NSTemporaryDirectory() + "arkyra-pin-\(UUID().uuidString)"),
                                           publicURL: "http://127.0.0.1", signingSecret: [7])
            let channel = try await world.connectPinterest()
            let image = try await MediaPublishingTests.images(1, world: world, storage: storage, alt: "A kitchen")
            let post = try await FacebookPublishingTests.post(world, channel: channel, "Small kitchens\nIdeas at https://example.com/kitchens", media: image)[0]
            try await MediaPublishingTests.handler(world, storage: storage).handle(PublishJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            let published = try await world.reload(post)
            #expect(published.state == .published, "\(published.error ?? "")")
            let pins = try await world.sandbox.execute(uri: "/_sandbox/pinterest/pins", method: .get) { $0.json["pins"] as? [[String: Any]] ?? [] }
            #expect(pins.count == 1)
            let pin = try #require(pins.first)
            #expect(pin["title"] as? String == "Small kitchens")
            #expect(pin["link"] as? String == "https://example.com/kitchens")
            #expect(pin["alt_text"] as? String == "A kitchen")
            #expect(pin["content_type"] as? String == "image/png")
            #expect(published.platformURL == "https://www.pinterest.com/pin/\(pin["id"] as? String ?? "")/")

            let id = try #require(published.platformPostID)
            try await world.sandbox.execute(uri: "/_sandbox/pinterest/pins/\(id)/metrics", method: .post, body: jsonBody(["impression": 40, "save": 3])) { #expect($0.status == .noContent) }
            try await world.metricsReader.handle(MetricsJob(postID: post.id, organizationID: world.organizationID).job(requestID: nil), context: .first)
            #expect(try await world.storedMetrics(of: post)?.metrics.counts["views"] == 40)
            #expect(try await world.storedMetrics(of: post)?.metrics.counts["saves"] == 3)

            let provider = PinterestProvider(http: world.platformHTTP, app: world.platforms.pinterest)
            let request = DeleteRequest(credentials: try await world.openedCredentials(of: channel), platformID: id, accountID: nil)
            try await provider.delete(request)
            try await provider.delete(request)
            #expect(try await world.sandbox.execute(uri: "/_sandbox/pinterest/pins", method: .get) { $0.json["pins"] as? [[String: Any]] ?? [] }.isEmpty)
        }
    }
}
