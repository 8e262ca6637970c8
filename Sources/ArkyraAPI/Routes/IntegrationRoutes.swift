import ArkyraCore
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET/POST /api/v1/organizations/:organization/integrations`: the organization's channels, and the next free
/// posting time of one.
struct IntegrationRoutes {
    let organizations: OrganizationService
    let integrations: IntegrationService
    let posts: PostService
    let maxBodyBytes: Int

    struct ConnectBody: StrictDecodable {
        typealias Fields = CodingKeys
        var provider: String
        var instanceURL: String?
        var accessToken: String?
        var identifier: String?
        var appPassword: String?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case provider, identifier
            case instanceURL = "instance_url"
            case accessToken = "access_token"
            case appPassword = "app_password"
        }
    }

    /// `customer_id` (null removes it), `posting_times` (minutes after midnight UTC) and/or `disabled` (a
    /// disabled channel takes no new posts and publishes nothing until it is enabled again).
    struct SettingsBody: StrictDecodable {
        typealias Fields = CodingKeys
        var customerID: String??
        var postingTimes: [Int]?
        var disabled: Bool?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case customerID = "customer_id"
            case postingTimes = "posting_times"
            case disabled
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            customerID = container.contains(.customerID) ? .some(try container.decodeIfPresent(String.self, forKey: .customerID)) : nil
            postingTimes = try container.decodeIfPresent([Int].self, forKey: .postingTimes)
            disabled = try container.decodeIfPresent(Bool.self, forKey: .disabled)
        }
    }

    struct Listing: Encodable {
        var integrations: [Integration]
    }

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.post { request, context in
            let organization = try await organizations.authorize(.connectChannels, in: context)
            let body = try await JSONBody.decode(ConnectBody.self, from: request, maxBytes: maxBodyBytes)
            let integration = try await integrations.connect(
                organizationID: organization.id,
                .init(provider: body.provider, instanceURL: body.instanceURL, accessToken: body.accessToken, identifier: body.identifier,
                      appPassword: body.appPassword),
                by: context.userID, origin: context.origin(request)
            )
            return try JSONBody.response(integration, status: .created)
        }
        group.get { _, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            return try JSONBody.response(Listing(integrations: try await integrations.list(organizationID: organization.id)))
        }
        group.patch(":integration") { request, context in
            let organization = try await organizations.authorize(.connectChannels, in: context)
            let body = try await JSONBody.decode(SettingsBody.self, from: request, maxBytes: maxBodyBytes)
            let updated = try await integrations.update(
                organizationID: organization.id, integrationID: try context.parameters.require("integration"), customerID: body.customerID,
                postingTimes: body.postingTimes, disabled: body.disabled, by: context.userID, origin: context.origin(request)
            )
            return try JSONBody.response(updated)
        }
        group.delete(":integration") { request, context in
            let organization = try await organizations.authorize(.connectChannels, in: context)
            _ = try await posts.removeChannel(
                organizationID: organization.id, integrationID: try context.parameters.require("integration"), by: context.userID, origin: context.origin(request)
            )
            return Response(status: .noContent)
        }
        group.get(":integration/next-slot") { _, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            let slot = try await posts.nextFreeSlot(organizationID: organization.id, integrationID: try context.parameters.require("integration"))
            return try JSONBody.response(["date": ISO8601Timestamp.format(slot)])
        }
    }
}
