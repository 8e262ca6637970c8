import ArkyraCore
import Foundation
import Logging
import PostgresNIO

/// Connecting channels: checks the credentials with the platform, then stores the channel with its token
/// encrypted.
struct IntegrationService: Sendable {
    let database: Database
    let integrations: IntegrationRepository
    let customers: CustomerRepository
    let audit: AuditRepository
    let providers: ProviderRegistry
    let secrets: ChannelSecrets
    let urlPolicy: OutboundURLPolicy
    let logger: Logger

    /// What a person sends to connect an account: an access token, or an identifier and an app password,
    /// as the platform's ``ConnectMethod`` asks.
    struct ConnectInput: Sendable {
        var provider: String
        var instanceURL: String?
        var accessToken: String?
        var identifier: String?
        var appPassword: String?
    }

    func connect(organizationID: UUID, _ input: ConnectInput, by userID: UUID, origin: RequestOrigin) async throws -> Integration {
        let identifier = input.provider
        guard let provider = providers.provider(for: identifier) else {
            throw APIError.validation(["provider": "must be one of: \(providers.identifiers.joined(separator: ", "))"])
        }
        var fields: [String: String] = [:]
        func required(_ value: String?, _ field: String, maximum: Int) -> String? {
            let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if trimmed.isEmpty || trimmed.count > maximum {
                fields[field] = "is required for \(identifier): 1 to \(maximum) characters"
                return nil
            }
            return trimmed
        }
        var request = ConnectRequest(instanceURL: nil)
        switch provider.connectMethod {
        case .accessToken:
            request.accessToken = required(input.accessToken, "access_token", maximum: 4096)
        case .appPassword:
            request.identifier = required(input.identifier, "identifier", maximum: 253)
            request.password = required(input.appPassword, "app_password", maximum: 256)
        case .oauth2:
            throw APIError(.unprocessableContent, "connect_with_consent",
                           "\(identifier) accounts connect through \(identifier)'s consent page: POST /api/v1/organizations/\(organizationID.uuidString)/integrations/oauth/\(identifier)",
                           fields: ["provider": "connects through its consent page"])
        case .chatCode:
            throw APIError(.unprocessableContent, "connect_with_code",
                           "\(identifier) chats connect with a code sent in the chat: POST /api/v1/organizations/\(organizationID.uuidString)/integrations/\(identifier)/codes",
                           fields: ["provider": "connects with a code sent in the chat"])
        }
        if provider.requiresInstanceURL || input.instanceURL != nil {
            switch urlPolicy.validate(input.instanceURL ?? "") {
            case .success(let url): request.instanceURL = url
            case .failure(let refusal): fields["instance_url"] = input.instanceURL == nil ? "is required for \(identifier)" : refusal.message
            }
        }
        guard fields.isEmpty else { throw APIError.validation(fields) }

        let connected: ConnectedAccount
        do {
            connected = try await provider.connect(request)
        } catch let error as ProviderError {
            throw Self.apiError(for: error, provider: identifier, secretField: provider.connectMethod == .accessToken ? "access_token" : "app_password")
        }
        return try await store(connected, provider: identifier, organizationID: organizationID, by: userID, origin: origin)
    }

    /// Stores a channel the platform just vouched for, or gives an existing channel of the same account its
    /// new tokens (how a channel whose token was refused is reconnected).
    /// - Throws: 409 when the account is already connected and its channel is working.
    func store(_ connected: ConnectedAccount, provider identifier: String, organizationID: UUID, by userID: UUID, origin: RequestOrigin) async throws -> Integration {
        let account = connected.account
        let id = UUID()
        let new = IntegrationRepository.NewIntegration(
            id: id, organizationID: organizationID, provider: identifier, externalID: account.id, name: account.name,
            username: account.username, avatarURL: account.avatarURL, instanceURL: connected.credentials.instanceURL?.absoluteString,
            credentials: try secrets.seal(connected.credentials, integrationID: id)
        )
        do {
            return try await database.inTransaction(logger: logger) { connection in
                let integration = try await integrations.create(new, on: connection)
                try await audit.record(
                    AuditEvent(organizationID: organizationID, actorUserID: userID, action: "integration.connected", targetType: "integration",
                               targetID: integration.id.uuidString, origin: origin),
                    on: connection
                )
                return integration
            }
        } catch RepositoryError.conflict {
            // Connecting an account again is how a channel whose token was refused gets its new token.
            let reconnected = try await database.inTransaction(logger: logger) { connection -> Integration? in
                guard let existing = try await integrations.reconnectableID(for: new, on: connection) else { return nil }
                var replacement = new
                replacement.credentials = try secrets.seal(connected.credentials, integrationID: existing)
                guard let integration = try await integrations.reconnect(id: existing, with: replacement, on: connection) else { return nil }
                try await audit.record(
                    AuditEvent(organizationID: organizationID, actorUserID: userID, action: "integration.reconnected", targetType: "integration",
                               targetID: integration.id.uuidString, origin: origin),
                    on: connection
                )
                return integration
            }
            guard let reconnected else {
                throw APIError(.conflict, "channel_exists", "this \(identifier) account is already connected to the organization")
            }
            return reconnected
        }
    }

    /// Moves a channel to a customer (`.some(nil)`: to none) and/or changes its posting times.
    /// - Throws: 404 for another organization's channel; 422 naming what is wrong.
    func update(organizationID: UUID, integrationID rawID: String, customerID rawCustomer: String??, postingTimes: [Int]?, disabled: Bool? = nil,
                by userID: UUID, origin: RequestOrigin) async throws -> Integration {
        guard let id = UUID(uuidString: rawID) else { throw APIError.notFound("integration") }
        var fields: [String: String] = [:]
        if rawCustomer == nil, postingTimes == nil, disabled == nil { fields["body"] = "must change customer_id, posting_times or disabled" }
        var customer: UUID?? = nil
        if let rawCustomer {
            if let text = rawCustomer {
                var found: [CustomerRepository.Customer] = []
                if let customerID = UUID(uuidString: text) {
                    found = try await customers.find(ids: [customerID], organizationID: organizationID, client: database)
                }
                if let first = found.first { customer = .some(first.id) } else { fields["customer_id"] = "is not a customer of this organization" }
            } else {
                customer = .some(nil)
            }
        }
        var times = postingTimes
        if let postingTimes {
            if postingTimes.isEmpty || postingTimes.count > 48 || postingTimes.contains(where: { !(0...1439).contains($0) }) {
                fields["posting_times"] = "must be 1 to 48 minutes after midnight UTC, each 0 to 1439"
            }
            times = Array(Set(postingTimes)).sorted()
        }
        guard fields.isEmpty else { throw APIError.validation(fields) }
        return try await database.inTransaction(logger: logger) { connection in
            guard let updated = try await integrations.update(id: id, organizationID: organizationID, customerID: customer, postingTimes: times,
                                                              disabled: disabled, on: connection) else {
                throw APIError.notFound("integration")
            }
            let action = switch disabled { case true?: "integration.disabled"; case false?: "integration.enabled"; case nil: "integration.updated" }
            try await audit.record(
                AuditEvent(organizationID: organizationID, actorUserID: userID, action: action, targetType: "integration",
                           targetID: id.uuidString, origin: origin),
                on: connection
            )
            return updated
        }
    }

    /// The organization's customers among `ids`, by id.
    func customers(ids: [UUID], organizationID: UUID) async throws -> [UUID: CustomerRepository.Customer] {
        guard !ids.isEmpty else { return [:] }
        let found = try await customers.find(ids: Array(Set(ids)), organizationID: organizationID, client: database)
        return Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The organization's channels among `ids` (removed ones left out), by id.
    func find(ids: [UUID], organizationID: UUID) async throws -> [UUID: Integration] {
        guard !ids.isEmpty else { return [:] }
        let found = try await integrations.find(ids: ids, organizationID: organizationID, client: database)
        return Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func list(organizationID: UUID) async throws -> [Integration] {
        try await integrations.list(organizationID: organizationID, client: database)
    }

    static func apiError(for error: ProviderError, provider: String, secretField: String) -> APIError {
        switch error {
        case .invalidCredentials(let message), .tokenExpired(let message):
            return APIError(.unprocessableContent, "channel_rejected", "\(provider) refused the credentials: \(message)", fields: [secretField: "was refused by \(provider)"])
        case .rejected(_, let message):
            return APIError(.unprocessableContent, "channel_rejected", "\(provider) refused the connection: \(message)")
        case .rateLimited(let retryAt, _):
            let seconds = retryAt.map { max(1, Int($0.timeIntervalSinceNow.rounded(.up))) } ?? 60
            return APIError(.serviceUnavailable, "platform_rate_limited", "\(provider) is rate limiting us; try again in \(seconds) s", headers: ["Retry-After": String(seconds)])
        case .unavailable(let message), .outcomeUnknown(let message):
            return APIError(.badGateway, "platform_unavailable", "\(provider) could not be reached: \(message)")
        }
    }
}
