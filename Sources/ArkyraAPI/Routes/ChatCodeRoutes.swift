import ArkyraCore
import Hummingbird

/// Connecting a Telegram chat by a code sent in it: `POST …/integrations/telegram/codes` gives a code and
/// what to do with it; `POST …/integrations/telegram/codes/:code` looks for it (201 with the channel once
/// the bot saw it, 202 while it has not).
struct ChatCodeRoutes {
    let organizations: OrganizationService
    let connections: ChatCodeConnectService

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.post("codes") { _, context in
            let organization = try await organizations.authorize(.connectChannels, in: context)
            return try JSONBody.response(try await connections.start(organizationID: organization.id, userID: context.userID), status: .created)
        }
        group.post("codes/:code") { request, context in
            let organization = try await organizations.authorize(.connectChannels, in: context)
            switch try await connections.check(code: try context.parameters.require("code"), organizationID: organization.id, userID: context.userID,
                                               origin: context.origin(request)) {
            case .connected(let integration): return try JSONBody.response(integration, status: .created)
            case .waiting(let waiting): return try JSONBody.response(waiting, status: .accepted)
            }
        }
    }
}
