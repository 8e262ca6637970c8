import ArkyraAPI
import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("API under abuse: one client cannot take it down")
struct AbuseTests {
    @Test("40 concurrent deletes of unknown post groups with one API key all answer, and the API answers afterwards")
    func concurrentGroupDeletes() async throws {
        try await APITestHarness.run { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let created = try await api.request(.post, "/api/v1/organizations/\(organization)/api-keys", token: owner, json: ["name": "flood"])
            let key = try #require(created.json["key"] as? String)
            var headers = HTTPFields()
            headers[.authorization] = key
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<40 {
                    group.addTask { [headers] in
                        try await api.request(.delete, "/public/v1/posts/group/\(UUID().uuidString)", headers: headers).status
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            // Each answers: 404 for the unknown group, or 429 once the key's budget is spent — never a hang.
            #expect(statuses.count == 40)
            #expect(statuses.allSatisfy { $0 == .notFound || $0 == .tooManyRequests })
            #expect(statuses.contains(.notFound))
            #expect(try await api.request(.get, "/health").status == .ok)
            #expect(try await api.request(.get, "/api/v1/organizations", token: owner).status == .ok)
        }
    }
}
