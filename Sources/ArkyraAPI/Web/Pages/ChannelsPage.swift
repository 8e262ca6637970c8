import ArkyraCore
import Foundation
import Hummingbird

/// `/app/:organization/channels`: the organization's channels (a badge on those that need reconnecting),
/// connecting a new one — through the platform's consent page for OAuth platforms (the callback comes
/// back here, or to the picker where one login holds several places), with a token or app password for
/// Mastodon and Bluesky — and enabling or disabling one. Every action is IntegrationService's or
/// OAuthConnectService's, as in the API.
struct ChannelsPage {
    let pages: WebPages

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get("channels") { request, context in
            let member = try await pages.member(context, .readContent)
            let query = request.uri.queryParameters
            let connected = query["connected"].flatMap { UUID(uuidString: String($0)) }
            // The code a failed callback sent back, in words (a code the catalogue does not know says so).
            let error = query["error"].map { code in
                pages.renderer.assets.catalogue.table(pages.renderer.language(request))["error_\(code)"]
                    ?? pages.renderer.text("error_unknown", request) + " (\(code.prefix(60)))"
            }
            return try await page(request, member: member, connected: connected, error: error)
        }
        group.post("channels/connect") { request, context in
            let member = try await pages.member(context, .connectChannels)
            let form = try await pages.form(request, context)
            let organizationID = member.id
            let provider = form["provider"] ?? ""
            do {
                if form["instance_url"] != nil || form["app_password"] != nil || form["access_token"] != nil {
                    let channel = try await pages.integrations.connect(
                        organizationID: organizationID,
                        .init(provider: provider, instanceURL: form["instance_url"].flatMap { $0.isEmpty ? nil : $0 },
                              accessToken: form["access_token"].flatMap { $0.isEmpty ? nil : $0 },
                              identifier: form["identifier"].flatMap { $0.isEmpty ? nil : $0 }, appPassword: form["app_password"].flatMap { $0.isEmpty ? nil : $0 }),
                        by: context.userID, origin: context.origin(request)
                    )
                    return WebSessionMiddleware.redirect(to: channelsPath(member) + "?connected=\(channel.id.uuidString.lowercased())")
                }
                let started = try await pages.connections.start(provider: provider, organizationID: organizationID, userID: context.userID, returnTo: channelsPath(member))
                return WebSessionMiddleware.redirect(to: started.authorizationURL)
            } catch let error as APIError {
                let error = pages.renderer.localized(error, request)
                let message = error.fields.map { $0.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ") } ?? error.message
                return try await page(request, member: member, connected: nil, error: message, status: error.status)
            }
        }
        group.get("channels/pending/:pending") { request, context in
            let member = try await pages.member(context, .connectChannels)
            let organizationID = member.id
            let pending = try await pages.connections.pendingChoice(try context.parameters.require("pending"), organizationID: organizationID, userID: context.userID)
            return pages.renderer.render("choose", [
                "nav_channels": true, "pending": pending.id, "account": pending.account, "provider": pending.provider,
                "choices": pending.choices.map { ["id": $0.id, "name": $0.name] },
                "channels_link": channelsPath(member),
            ], request: request, viewer: member.viewer, title: pages.renderer.text("choose_title", request))
        }
        group.post("channels/pending/:pending") { request, context in
            let member = try await pages.member(context, .connectChannels)
            let form = try await pages.form(request, context)
            let organizationID = member.id
            let channel = try await pages.connections.choose(form["choice"] ?? "", pending: try context.parameters.require("pending"), organizationID: organizationID,
                                                             userID: context.userID, origin: context.origin(request))
            return WebSessionMiddleware.redirect(to: channelsPath(member) + "?connected=\(channel.id.uuidString.lowercased())")
        }
        group.post("channels/:channel/settings") { request, context in
            let member = try await pages.member(context, .connectChannels)
            let form = try await pages.form(request, context)
            let channelID = try context.parameters.require("channel")
            let customer = form["customer"] ?? ""
            let times = form["posting_times"] ?? ""
            do {
                let minutes = try ClockTimes.minutes(times)
                _ = try await pages.integrations.update(organizationID: member.id, integrationID: channelID, customerID: .some(customer.isEmpty ? nil : customer),
                                                        postingTimes: minutes, by: context.userID, origin: context.origin(request))
                return WebSessionMiddleware.redirect(to: channelsPath(member) + "?done=channel_saved")
            } catch let error as APIError {
                let error = pages.renderer.localized(error, request)
                let edited = Edited(channel: channelID.lowercased(), customer: customer, times: times, problem: WebPages.problem(error))
                return try await page(request, member: member, connected: nil, error: nil, edited: edited, status: error.status)
            }
        }
        group.post("customers") { request, context in
            let member = try await pages.member(context, .connectChannels)
            let form = try await pages.form(request, context)
            let name = form["name"] ?? ""
            do {
                _ = try await pages.customers.create(organizationID: member.id, name: name, by: context.userID, origin: context.origin(request))
                return WebSessionMiddleware.redirect(to: channelsPath(member) + "?done=customer_added")
            } catch let error as APIError {
                let error = pages.renderer.localized(error, request)
                let message = error.fields?["name"] ?? error.message
                return try await page(request, member: member, connected: nil, error: nil, newCustomer: (name, message), status: error.status)
            }
        }
        group.post("customers/:customer/delete") { request, context in
            let member = try await pages.member(context, .connectChannels)
            _ = try await pages.form(request, context)
            try await pages.customers.delete(organizationID: member.id, customerID: try context.parameters.require("customer"), by: context.userID, origin: context.origin(request))
            return WebSessionMiddleware.redirect(to: channelsPath(member) + "?done=customer_removed")
        }
        group.post("channels/:channel/state") { request, context in
            let member = try await pages.member(context, .connectChannels)
            let form = try await pages.form(request, context)
            let organizationID = member.id
            _ = try await pages.integrations.update(organizationID: organizationID, integrationID: try context.parameters.require("channel"), customerID: nil,
                                                    postingTimes: nil, disabled: form["disabled"] == "true", by: context.userID, origin: context.origin(request))
            return WebSessionMiddleware.redirect(to: channelsPath(member))
        }
    }

    private func channelsPath(_ member: WebPages.MemberPage) -> String {
        member.path + "/channels"
    }

    /// A channel's settings form as the person sent it, with what the API said was wrong.
    struct Edited {
        var channel: String
        var customer: String
        var times: String
        var problem: [String: Any]
    }

    private func page(_ request: Request, member: WebPages.MemberPage, connected: UUID?, error: String?, edited: Edited? = nil,
                      newCustomer: (name: String, error: String)? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let channels = try await pages.integrations.list(organizationID: member.id)
        let customers = try await pages.customers.list(organizationID: member.id)
        let notice = channels.first { $0.id == connected }.map { pages.renderer.text("channels_connected", request, ["name": $0.name]) }
        let t = pages.renderer.assets.catalogue.table(pages.renderer.language(request))
        let oauth = pages.providers.identifiers.compactMap { identifier -> [String: Any]? in
            guard let provider = pages.providers.provider(for: identifier) as? any OAuthProvider, provider.app != nil else { return nil }
            return ["id": identifier, "name": provider.displayName]
        }
        let values: [String: Any] = [
            "nav_channels": true,
            "channels": channels.map { channel in
                let id = channel.id.uuidString.lowercased()
                let mine = edited?.channel == id ? edited : nil
                let customer = mine?.customer ?? channel.customerID?.uuidString.lowercased() ?? ""
                return PageRenderer.values([
                    "id": id, "name": channel.name, "username": channel.username, "provider": channel.provider,
                    "posting_times": mine?.times ?? channel.postingTimes.map(ClockTimes.text).joined(separator: ", "),
                    "customers": customers.map { ["id": $0.id.uuidString.lowercased(), "name": $0.name, "selected": $0.id.uuidString.lowercased() == customer] },
                    "customer_name": customers.first { $0.id == channel.customerID }?.name,
                    "errors": mine?.problem["errors"], "error": mine?.problem["error"], "open": mine != nil,
                    "avatar": channel.avatarURL, "refresh_needed": channel.state == .refreshNeeded, "disabled": channel.state == .disabled,
                    "state_label": t["channel_\(channel.state.rawValue)"] ?? channel.state.rawValue,
                    "reconnect": channel.state == .refreshNeeded && (pages.providers.provider(for: channel.provider) is any OAuthProvider),
                ])
            },
            "no_channels": channels.isEmpty,
            "customer_list": customers.map { ["id": $0.id.uuidString.lowercased(), "name": $0.name] },
            "oauth": oauth,
            "can_connect": member.role >= Permission.connectChannels.minimumRole,
        ].merging(PageRenderer.values([
            "notice": notice ?? pages.done(request), "error": error, "new_customer_name": newCustomer?.name, "new_customer_error": newCustomer?.error,
        ])) { own, _ in own }
        return pages.renderer.render("channels", values, request: request, viewer: member.viewer, title: t["nav_channels"] ?? "Channels", status: status)
    }
}
