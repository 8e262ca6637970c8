import Foundation

/// A published post's reach as its platform counts it, by ARKYRA's names for the counts: `views`, `likes`,
/// `replies`, `reposts`, `quotes`, `shares` (each platform gives some of them).
package struct PostMetrics: Sendable, Codable, Equatable {
    package var counts: [String: Int]

    package init(counts: [String: Int]) {
        self.counts = counts
    }
}

/// A published post whose counts to read.
package struct MetricsRequest: Sendable {
    package var credentials: ProviderCredentials
    /// What ``Provider/publish(_:)`` returned as the post's platform id.
    package var platformID: String
    /// The platform's id of the channel's account (`integrations.external_id`).
    package var accountID: String?

    package init(credentials: ProviderCredentials, platformID: String, accountID: String?) {
        self.credentials = credentials
        self.platformID = platformID
        self.accountID = accountID
    }
}
