import ArkyraCore
@testable import ArkyraCron
import ArkyraTestSupport
import Foundation
import Prometheus
import Testing

@Suite("Cron: the installation's gauges")
struct InstallationGaugesTests {
    @Test("channels are counted by platform and state, an unrefreshable token about to end as expiring, and a vanished series reads 0")
    func countsChannels() async throws {
        try await TestEnvironment.withDatabase { database, _ async throws in
            let logger = TestEnvironment.logger
            let organization = UUID()
            try await database.query("INSERT INTO organizations (id, name) VALUES (\(organization), 'Gauges')", logger: logger)
            let soon = Date().addingTimeInterval(86_400)
            for (provider, expires) in [("mastodon", nil), ("bluesky", soon)] as [(String, Date?)] {
                try await database.query(
                    """
                    INSERT INTO integrations (organization_id, provider, external_id, access_token_encrypted, token_expires_at)
                    VALUES (\(organization), \(provider), \(UUID().uuidString), 'sealed', \(expires))
                    """,
                    logger: logger
                )
            }
            let registry = PrometheusCollectorRegistry()
            let gauges = InstallationGauges(database: database, registry: registry, interval: .seconds(60), logger: logger)
            await gauges.report()
            var text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
            #expect(text.contains(#"arkyra_channels{platform="mastodon",state="connected"} 1"#), "\(text)")
            #expect(text.contains(#"arkyra_channels{platform="bluesky",state="expiring"} 1"#))
            #expect(!text.contains(#"arkyra_channels{platform="mastodon",state="expiring"}"#))

            try await database.query("UPDATE integrations SET deleted_at = now() WHERE provider = 'bluesky'", logger: logger)
            await gauges.report()
            text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
            #expect(text.contains(#"arkyra_channels{platform="bluesky",state="expiring"} 0"#), "\(text)")
            #expect(text.contains(#"arkyra_channels{platform="mastodon",state="connected"} 1"#))
        }
    }
}
