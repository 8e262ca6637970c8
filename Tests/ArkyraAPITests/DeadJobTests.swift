import ArkyraCore
import ArkyraTestSupport
import Foundation
import Testing

@Suite("API: dead jobs")
struct DeadJobTests {
    @Test("an admin lists, inspects and redrives a dead job once; other organizations see nothing")
    func redrive() async throws {
        try await APITestHarness.run { api in
            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let organizationID = try #require(UUID(uuidString: organization))
            let job = PublishJob(postID: UUID(), organizationID: organizationID).job(requestID: "original")
            try await TestEnvironment.withClient(api.database) { client async throws in
                try await DeadJobRepository(client: client, logger: TestEnvironment.logger)
                    .bury(job, queue: .publish, deliveries: 6, error: "delivered 6 times without finishing")
            }
            let path = "/api/v1/organizations/\(organization)/dead-jobs"
            let listing = try await api.request(.get, path, token: token)
            #expect(listing.status == .ok)
            let dead = try #require((listing.json["dead_jobs"] as? [[String: Any]])?.first)
            #expect(dead["last_error"] as? String == "delivered 6 times without finishing")
            #expect(dead["deliveries"] as? Int == 6)
            let id = try #require(dead["id"] as? String)
            #expect(try await api.request(.get, "\(path)/\(id)", token: token).status == .ok)

            let stranger = try await api.signUp()
            #expect(try await api.request(.get, path, token: stranger).status == .notFound)

            let redriven = try await api.request(.post, "\(path)/\(id)/redrive", token: token)
            #expect(redriven.status == .accepted)
            #expect(try await JobQueue(name: .publish, redis: api.redis).dueTime(ofJob: job.id) != nil)
            let again = try await api.request(.post, "\(path)/\(id)/redrive", token: token)
            #expect(again.status == .conflict)
            #expect(again.errorCode == "already_redriven")
        }
    }
}
