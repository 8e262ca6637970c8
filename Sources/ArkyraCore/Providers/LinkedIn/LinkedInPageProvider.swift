import Foundation

/// LinkedIn company Pages: the member consents on LinkedIn's page (the installation's LinkedIn app, with the
/// Community Management API's `r_organization_admin` and `w_organization_social`), then chooses one of the
/// Pages they administer (`/rest/organizationAcls`); the member's token then posts as the Page
/// (`urn:li:organization:{id}`), with comments for threads, as ``LinkedInProvider`` does for members.
package struct LinkedInPageProvider: OAuthProvider, ChoosingProvider {
    let member: LinkedInProvider

    package init(http: PlatformHTTP, app: PlatformConfiguration.OAuthApp?) {
        member = LinkedInProvider(http: http, app: app, author: .organization)
    }

    package var identifier: String { member.identifier }
    package var displayName: String { member.displayName }
    package let connectMethod = ConnectMethod.oauth2
    package let requiresInstanceURL = false
    package let supportsIdempotencyKeys = false
    package var maximumCharacters: Int { member.maximumCharacters }
    package var rateLimitWindow: TimeInterval { member.rateLimitWindow }
    package var countingRule: String? { member.countingRule }
    package var scopes: [String] { member.scopes }
    package var mediaRules: MediaRules { member.mediaRules }
    package var clientIDSetting: String { member.clientIDSetting }
    package let usesPKCE = false
    package var app: PlatformConfiguration.OAuthApp? { member.app }
    package let deletesPosts = true

    package func characterCount(of text: String) -> Int { member.characterCount(of: text) }
    package func connect(_ request: ConnectRequest) async throws -> ConnectedAccount { try await member.connect(request) }
    package func exchange(code: String, verifier: String, redirectURI: String) async throws -> ConnectedAccount {
        try await member.exchange(code: code, verifier: verifier, redirectURI: redirectURI)
    }
    package func refresh(_ credentials: ProviderCredentials) async throws -> ProviderCredentials { try await member.refresh(credentials) }
    package func publish(_ request: PublishRequest) async throws -> PublishedPost { try await member.publish(request) }
    package func delete(_ request: DeleteRequest) async throws { try await member.delete(request) }
    package var readsMetrics: Bool { member.readsMetrics }
    package func metrics(_ request: MetricsRequest) async throws -> PostMetrics { try await member.metrics(request) }

    /// The Pages the member administers (approved administrator roles), with their names.
    package func choices(for connected: ConnectedAccount) async throws -> [ProviderChoice] {
        let token = connected.credentials.accessToken
        let response = try await member.send(.GET, "/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED&count=100",
                                             token: token, body: nil, mutates: false)
        guard response.status == 200 else { throw LinkedInProvider.error(for: response, mutates: false) }
        guard let acls = response.decode(LinkedInOrganizationACLs.self) else {
            throw ProviderError.rejected(status: response.status, message: "the server did not answer like LinkedIn's API")
        }
        var choices: [ProviderChoice] = []
        for urn in acls.elements.map(\.organization) {
            guard let id = urn.split(separator: ":").last.map(String.init) else { continue }
            let page = try await member.send(.GET, "/rest/organizations/\(id)", token: token, body: nil, mutates: false)
            guard page.status == 200 else { throw LinkedInProvider.error(for: page, mutates: false) }
            let organization = page.decode(LinkedInOrganization.self)
            choices.append(ProviderChoice(id: id, name: organization?.localizedName ?? urn, kind: "company page"))
        }
        return choices
    }

    package func choose(_ choiceID: String, of connected: ConnectedAccount) async throws -> ConnectedAccount {
        guard let choice = try await choices(for: connected).first(where: { $0.id == choiceID }) else {
            throw ProviderError.rejected(status: 0, message: "\(choiceID) is not a LinkedIn Page \(connected.account.name) administers")
        }
        return ConnectedAccount(
            account: ProviderAccount(id: choice.id, name: choice.name, username: choice.name, avatarURL: nil),
            credentials: connected.credentials
        )
    }
}

struct LinkedInOrganizationACLs: Decodable {
    var elements: [Element]

    struct Element: Decodable {
        var organization: String
    }
}

struct LinkedInOrganization: Decodable {
    var localizedName: String?
}
