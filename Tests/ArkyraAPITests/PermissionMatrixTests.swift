import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("API: the permission matrix, route by route")
struct PermissionMatrixTests {
    /// A route of an organization and the least role that may call it.
    struct Route: CustomStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var body: [String: Any]?
        var minimum: Role
        var description: String { "\(method) \(path)" }
    }

    @Test("every organization route × anonymous, another organization, viewer, editor, admin, owner")
    func matrix() async throws {
        try await APITestHarness.run { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let channel = try await api.connectMastodon(owner, organization: organization)
            let scheduled = try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: owner, json: [
                "publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": "matrix"]],
            ])
            let post = try #require((scheduled.json["posts"] as? [[String: Any]])?.first?["id"] as? String)
            let viewer = try await api.member("viewer", of: organization, invitedBy: owner)
            let editor = try await api.member("editor", of: organization, invitedBy: owner)
            let admin = try await api.member("admin", of: organization, invitedBy: owner)
            let outsider = try await api.signUp()
            _ = try await api.createOrganization(outsider, name: "Elsewhere")

            let base = "/api/v1/organizations/\(organization)"
            let range = "from=\(ISO8601Timestamp.format(Date()))&to=\(ISO8601Timestamp.format(Date().addingTimeInterval(30 * 86_400)))"
            let nobody = UUID().uuidString
            let routes = [
                Route(method: .get, path: "\(base)/integrations", minimum: .viewer),
                Route(method: .get, path: "\(base)/posts?\(range)", minimum: .viewer),
                Route(method: .get, path: "\(base)/posts/\(post)", minimum: .viewer),
                Route(method: .get, path: "\(base)/notifications", minimum: .viewer),
                Route(method: .get, path: "\(base)/members", minimum: .viewer),
                Route(method: .post, path: "\(base)/posts", body: ["publish_at": "soon", "variants": []], minimum: .editor),
                Route(method: .patch, path: "\(base)/posts/\(post)", body: ["content": "edited"], minimum: .editor),
                Route(method: .delete, path: "\(base)/posts/\(nobody)", minimum: .editor),
                Route(method: .post, path: "\(base)/integrations", body: ["provider": "mastodon", "instance_url": api.instanceURL, "access_token": "good"], minimum: .admin),
                Route(method: .delete, path: "\(base)/integrations/\(nobody)", minimum: .admin),
                Route(method: .get, path: "\(base)/dead-jobs", minimum: .admin),
                Route(method: .get, path: "\(base)/invitations", minimum: .admin),
                Route(method: .post, path: "\(base)/invitations", body: ["role": "viewer"], minimum: .admin),
                Route(method: .delete, path: "\(base)/invitations/\(nobody)", minimum: .admin),
                Route(method: .patch, path: "\(base)/members/\(nobody)", body: ["role": "viewer"], minimum: .admin),
                Route(method: .get, path: "\(base)/api-keys", minimum: .admin),
                Route(method: .post, path: "\(base)/api-keys", body: ["name": "matrix"], minimum: .admin),
                Route(method: .delete, path: "\(base)/api-keys/\(nobody)", minimum: .admin),
                Route(method: .get, path: "\(base)/audit", minimum: .admin),
                Route(method: .patch, path: base, body: ["name": "Renamed"], minimum: .admin),
                Route(method: .post, path: "\(base)/transfer-ownership", body: ["user_id": nobody], minimum: .owner),
                Route(method: .get, path: "\(base)/integrations/\(channel)/next-slot", minimum: .viewer),
                Route(method: .get, path: "\(base)/posts/\(post)/comments", minimum: .viewer),
                Route(method: .post, path: "\(base)/posts/\(post)/comments", body: ["body": "a comment"], minimum: .viewer),
                Route(method: .get, path: "\(base)/posts/\(post)/preview-links", minimum: .editor),
                Route(method: .post, path: "\(base)/posts/\(post)/preview-links", body: [:], minimum: .editor),
                Route(method: .get, path: "\(base)/sets", minimum: .viewer),
                Route(method: .post, path: "\(base)/sets", body: ["name": "s", "content": ["a": 1]], minimum: .editor),
                Route(method: .get, path: "\(base)/signatures", minimum: .viewer),
                Route(method: .post, path: "\(base)/signatures", body: ["name": "s", "text": "t"], minimum: .editor),
                Route(method: .get, path: "\(base)/export", minimum: .owner),
                Route(method: .delete, path: base, body: ["name": "not its name"], minimum: .owner),
            ]
            let members: [(Role, String)] = [(.viewer, viewer.token), (.editor, editor.token), (.admin, admin.token), (.owner, owner)]
            for route in routes {
                let anonymous = try await api.request(route.method, route.path, json: route.body)
                #expect(anonymous.status == .unauthorized, "anonymous \(route)")
                let foreign = try await api.request(route.method, route.path, token: outsider, json: route.body)
                #expect(foreign.status == .notFound && foreign.errorMessage == "organization not found", "another organization \(route): \(foreign.status)")
                for (role, token) in members {
                    let response = try await api.request(route.method, route.path, token: token, json: route.body)
                    if role >= route.minimum {
                        let refused = [.unauthorized, .forbidden].contains(response.status)
                            || (response.status == .notFound && response.errorMessage == "organization not found")
                        #expect(!refused, "\(role) \(route): \(response.status) \(response.errorMessage ?? "")")
                    } else {
                        #expect(response.status == .forbidden, "\(role) \(route): \(response.status)")
                    }
                }
            }
        }
    }

    @Test("the audit log records who did what from where, filters by action and pages")
    func auditLog() async throws {
        try await APITestHarness.run { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            _ = try await api.connectMastodon(owner, organization: organization)
            for name in ["One", "Two", "Three"] {
                #expect(try await api.request(.patch, "/api/v1/organizations/\(organization)", token: owner, json: ["name": name]).status == .ok)
            }
            let key = try await api.request(.post, "/api/v1/organizations/\(organization)/api-keys", token: owner, json: ["name": "k"])
            let secret = try #require(key.json["key"] as? String)
            var headers = HTTPFields()
            headers[.authorization] = secret
            headers[.userAgent] = "n8n-test"
            try #require(try await api.request(.get, "/public/v1/integrations", headers: headers).status == .ok)
            let all = try await api.request(.get, "/api/v1/organizations/\(organization)/audit", token: owner)
            let entries = try #require(all.json["entries"] as? [[String: Any]])
            #expect(entries.map { $0["action"] as? String } == [
                "api_key.created", "organization.renamed", "organization.renamed", "organization.renamed", "integration.connected", "organization.created",
            ])
            #expect(entries.first?["actor_email"] as? String != nil)
            #expect(entries.first?["request_id"] as? String != nil)
            let renamed = try await api.request(.get, "/api/v1/organizations/\(organization)/audit?action=organization.renamed&limit=2", token: owner)
            let page = try #require(renamed.json["entries"] as? [[String: Any]])
            #expect(page.count == 2)
            let before = try #require(renamed.json["next_before"] as? Int)
            let rest = try await api.request(.get, "/api/v1/organizations/\(organization)/audit?action=organization.&before=\(before)", token: owner)
            #expect((rest.json["entries"] as? [[String: Any]])?.map { $0["action"] as? String } == ["organization.renamed", "organization.created"])
            #expect(try await api.request(.get, "/api/v1/organizations/\(organization)/audit?limit=0", token: owner).status == .unprocessableContent)
            #expect(try await api.request(.get, "/api/v1/organizations/\(organization)/audit?from=yesterday", token: owner).errorFields["from"] != nil)

            // A post created with an API key is recorded with the key.
            let channels = try await api.request(.get, "/api/v1/organizations/\(organization)/integrations", token: owner)
            let channelID = try #require((channels.json["integrations"] as? [[String: Any]])?.first?["id"] as? String)
            headers[.contentType] = "application/json"
            let created = try await api.client.execute(uri: "/public/v1/posts", method: .post, headers: headers, body: jsonBody([
                "type": "draft", "date": APITestHarness.future(), "posts": [["integration": ["id": channelID], "value": [["content": "via key"]]]],
            ]))
            #expect(created.status == .created)
            let drafted = try await api.request(.get, "/api/v1/organizations/\(organization)/audit?action=post.drafted", token: owner)
            let entry = try #require((drafted.json["entries"] as? [[String: Any]])?.first)
            #expect(entry["api_key_id"] as? String == (key.json["api_key"] as? [String: Any])?["id"] as? String)
            #expect(entry["user_agent"] as? String == "n8n-test")
            #expect(entry["actor_user_id"] == nil)
        }
    }
}
