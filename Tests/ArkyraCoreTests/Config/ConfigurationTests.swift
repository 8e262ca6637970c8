@testable import ArkyraCore
import Foundation
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    let secrets = [
        "ARKYRA_JWT_SECRET": String(repeating: "s", count: 40),
        "ARKYRA_ENCRYPTION_KEYS": "k1:" + Data(repeating: 7, count: 32).base64EncodedString(),
    ]

    @Test("a Telegram bot token must look like @BotFather's; the Bot API URL defaults to Telegram's")
    func telegramBot() throws {
        #expect(try PlatformConfiguration(reader: EnvironmentReader(values: [:])).telegram == nil)
        let bot = try #require(try PlatformConfiguration(reader: EnvironmentReader(values: ["ARKYRA_TELEGRAM_BOT_TOKEN": "123:AbC-d_e"])).telegram)
        #expect(bot.method("getMe") == "https://api.telegram.org/bot123:AbC-d_e/getMe")
        #expect(performing: { try PlatformConfiguration(reader: EnvironmentReader(values: ["ARKYRA_TELEGRAM_BOT_TOKEN": "not a token"])) },
                throws: { ($0 as? ConfigurationError)?.key == "ARKYRA_TELEGRAM_BOT_TOKEN" })
    }

    @Test("defaults point at the development services")
    func defaults() throws {
        let configuration = try ServiceConfiguration(reader: EnvironmentReader(values: [:]), defaultAdminPort: 9101)
        #expect(configuration.database.port == 55432)
        #expect(configuration.database.database == "arkyra")
        #expect(configuration.redis.port == 56379)
        #expect(configuration.adminPort == 9101)
        #expect(configuration.outbound.allowPrivateHosts == false)
    }

    @Test("a missing secret is named in the error")
    func missingSecret() {
        #expect(performing: { try SecurityConfiguration(reader: EnvironmentReader(values: [:])) },
                throws: { ($0 as? ConfigurationError)?.key == "ARKYRA_JWT_SECRET" })
        var values = secrets
        values["ARKYRA_ENCRYPTION_KEYS"] = "k1:tooshort"
        #expect(performing: { try SecurityConfiguration(reader: EnvironmentReader(values: values)) },
                throws: { ($0 as? ConfigurationError)?.key == "ARKYRA_ENCRYPTION_KEYS" })
    }

    @Test("malformed values name their key")
    func malformed() {
        let cases: [(String, String)] = [
            ("ARKYRA_DATABASE_URL", "mysql://x@y/z"),
            ("ARKYRA_DATABASE_URL", "postgres://127.0.0.1/db"),
            ("ARKYRA_REDIS_URL", "redis://127.0.0.1/notanumber"),
            ("ARKYRA_REDIS_POOL_SIZE", "0"),
            ("ARKYRA_LOG_LEVEL", "loud"),
            ("ARKYRA_ADMIN_PORT", "70000"),
            ("ARKYRA_OUTBOUND_ALLOW_PRIVATE_HOSTS", "maybe"),
        ]
        for (key, value) in cases {
            #expect("\(key)=\(value)", performing: { try ServiceConfiguration(reader: EnvironmentReader(values: [key: value]), defaultAdminPort: 1) },
                    throws: { ($0 as? ConfigurationError)?.key == key })
        }
    }

    @Test("database URLs carry user, password, port, database and TLS mode")
    func databaseURL() throws {
        let configuration = try DatabaseConfiguration(url: URL(string: "postgresql://app:p%40ss@db.internal:6543/prod?sslmode=require")!)
        #expect(configuration.username == "app")
        #expect(configuration.password == "p@ss")
        #expect(configuration.host == "db.internal")
        #expect(configuration.port == 6543)
        #expect(configuration.database == "prod")
        #expect(configuration.requireTLS)
    }

    @Test(".env lines are read, the environment wins, and secrets stay out of descriptions")
    func dotEnv() throws {
        let parsed = try EnvironmentReader.parseDotEnv("# comment\nexport A=1\nB=\"two words\"\n\nC='3'\n", path: ".env")
        #expect(parsed == ["A": "1", "B": "two words", "C": "3"])
        #expect(throws: ConfigurationError.self) { try EnvironmentReader.parseDotEnv("NOEQUALS\n", path: ".env") }
        let security = try SecurityConfiguration(reader: EnvironmentReader(values: secrets))
        #expect(!security.description.contains("ssss"))
        #expect(security.description.contains("k1"))
    }
}
