import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("API: customers and channel posting times")
struct CustomerTests {
    @Test("channels belong to customers; the calendar and the public API filter by customer; find-slot uses the channel's times")
    func customers() async throws {
        try await APITestHarness.run { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let channel = try await api.connectMastodon(owner, organization: organization)
            let base = "/api/v1/organizations/\(organization)"
            let created = try await api.request(.post, "\(base)/customers", token: owner, json: ["name": "Bakery"])
            #expect(created.status == .created)
            let customer = try #require(created.json["id"] as? String)
            #expect(try await api.request(.post, "\(base)/customers", token: owner, json: ["name": "bakery"]).errorCode == "customer_exists")

            let updated = try await api.request(.patch, "\(base)/integrations/\(channel)", token: owner, json: ["customer_id": customer, "posting_times": [900, 60, 900]])
            #expect(updated.status == .ok)
            #expect(updated.json["customer_id"] as? String == customer)
            #expect(updated.json["posting_times"] as? [Int] == [60, 900])
            #expect(try await api.request(.patch, "\(base)/integrations/\(channel)", token: owner, json: ["posting_times": [1440]]).errorFields.keys.contains("posting_times"))
            #expect(try await api.request(.patch, "\(base)/integrations/\(channel)", token: owner, json: ["customer_id": UUID().uuidString]).errorFields.keys.contains("customer_id"))

            let slot = try await api.request(.get, "\(base)/integrations/\(channel)/next-slot", token: owner)
            let date = try #require((slot.json["date"] as? String).flatMap(ISO8601Timestamp.parse))
            #expect([60, 900].contains(Int(date.timeIntervalSince1970 / 60) % 1440))

            #expect(try await api.request(.post, "\(base)/posts", token: owner, json: [
                "publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": "for the bakery"]],
            ]).status == .created)
            let range = "from=\(ISO8601Timestamp.format(Date()))&to=\(ISO8601Timestamp.format(Date().addingTimeInterval(86_400)))"
            #expect((try await api.request(.get, "\(base)/posts?\(range)&customer=\(customer)", token: owner).json["posts"] as? [Any])?.count == 1)
            #expect((try await api.request(.get, "\(base)/posts?\(range)&customer=\(UUID())", token: owner).json["posts"] as? [Any])?.isEmpty == true)

            let key = try #require(try await api.request(.post, "\(base)/api-keys", token: owner, json: ["name": "k"]).json["key"] as? String)
            var headers = HTTPFields()
            headers[.authorization] = key
            let integrations = try await api.request(.get, "/public/v1/integrations", headers: headers)
            let listed = try #require(try JSONSerialization.jsonObject(with: Data(buffer: integrations.body)) as? [[String: Any]])
            #expect((listed.first?["customer"] as? [String: Any])?["name"] as? String == "Bakery")
            let publicRange = "startDate=\(ISO8601Timestamp.format(Date()))&endDate=\(ISO8601Timestamp.format(Date().addingTimeInterval(86_400)))"
            #expect((try await api.request(.get, "/public/v1/posts?\(publicRange)&customer=\(customer)", headers: headers).json["posts"] as? [Any])?.count == 1)

            // Deleting the customer leaves the channel without one.
            #expect(try await api.request(.delete, "\(base)/customers/\(customer)", token: owner).status == .noContent)
            let channels = try await api.request(.get, "\(base)/integrations", token: owner)
            #expect((channels.json["integrations"] as? [[String: Any]])?.first?["customer_id"] == nil)
            #expect(try await api.request(.patch, "\(base)/integrations/\(channel)", token: owner, json: ["customer_id": NSNull()]).status == .ok)
        }
    }
}
