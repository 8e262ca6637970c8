import ArkyraCore
import HTTPTypes
import Hummingbird

/// Connecting a channel through the platform's consent page: `POST
/// /api/v1/organizations/:organization/integrations/oauth/:provider` gives the page's address, and the
/// platform sends the person back to `GET /api/v1/oauth/:provider/callback` (no login: the one-time state
/// says who asked).
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
            let integration = try await connections.callback(
                provider: try context.parameters.require("provider"), state: query["state"].map(String.init), code: query["code"].map(String.init),
                error: query["error"].map(String.init), origin: context.origin(request)
            )
            return try JSONBody.response(integration, status: .created)
        }
    }
}
