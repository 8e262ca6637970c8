import ArkyraCore
import HTTPTypes
import Hummingbird

/// Connecting a channel through the platform's consent page: `POST
/// /api/v1/organizations/:organization/integrations/oauth/:provider` gives the page's address, and the
/// platform sends the person back to `GET /api/v1/oauth/:provider/callback` (no login: the one-time state
/// says who asked), which answers with the channel, or with the places to choose from where one login
/// holds several.
struct OAuthRoutes {
    let organizations: OrganizationService
    let connections: OAuthConnectService

    func add(start group: RouterGroup<AuthenticatedContext>) {
        group.post(":provider") { _, context in
            let organization = try await organizations.authorize(.connectChannels, in: context)
            let started = try await connections.start(provider: try context.parameters.require("provider"), organizationID: organization.id, userID: context.userID)
            return try JSONBody.response(started, status: .created)
        }
    }

    func add(callback group: RouterGroup<AppRequestContext>) {
        group.get(":provider/callback") { request, context in
            let query = request.uri.queryParameters
            let finished: OAuthConnectService.Finished
            do {
                finished = try await connections.callback(
                    provider: try context.parameters.require("provider"), state: query["state"].map(String.init), code: query["code"].map(String.init),
                    error: query["error"].map(String.init), origin: context.origin(request)
                )
            } catch let failure as OAuthConnectService.CallbackFailure {
                // Started from the web app: the channels page says what went wrong.
                return Response(status: .seeOther, headers: [.location: failure.returnTo + "?error=" + failure.error.code, .cacheControl: "no-store"])
            }
            if let returnTo = finished.returnTo {
                switch finished.outcome {
                case .connected(let integration):
                    return Response(status: .seeOther, headers: [.location: "\(returnTo)?connected=\(integration.id.uuidString.lowercased())", .cacheControl: "no-store"])
                case .choose(let pending):
                    return Response(status: .seeOther, headers: [.location: "\(returnTo)/pending/\(pending.id)", .cacheControl: "no-store"])
                }
            }
            switch finished.outcome {
            case .connected(let integration): return try JSONBody.response(integration, status: .created)
            case .choose(let pending): return try JSONBody.response(pending)
            }
        }
    }

    struct ChoiceBody: StrictDecodable {
        typealias Fields = CodingKeys
        var choice: String
        enum CodingKeys: String, CodingKey, CaseIterable { case choice }
    }

    /// A login that holds several places (a Discord server's channels): `GET …/integrations/pending/:pending`
    /// lists them, `POST` with `{"choice"}` connects one.
    func add(choices group: RouterGroup<AuthenticatedContext>, maxBodyBytes: Int) {
        group.get(":pending") { _, context in
            let organization = try await organizations.authorize(.connectChannels, in: context)
            return try JSONBody.response(try await connections.pendingChoice(try context.parameters.require("pending"), organizationID: organization.id, userID: context.userID))
        }
        group.post(":pending") { request, context in
            let organization = try await organizations.authorize(.connectChannels, in: context)
            let body = try await JSONBody.decode(ChoiceBody.self, from: request, maxBytes: maxBodyBytes)
            let integration = try await connections.choose(body.choice, pending: try context.parameters.require("pending"), organizationID: organization.id,
                                                           userID: context.userID, origin: context.origin(request))
            return try JSONBody.response(integration, status: .created)
        }
    }
}
