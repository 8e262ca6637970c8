@testable import ArkyraCore
import ArkyraTestSupport
import Foundation
import PostgresNIO
import Testing

@Suite("Migration runner against the real database")
struct MigrationRunnerTests {
    let logger = TestEnvironment.logger

    private func count(_ sql: String, _ client: Database) async throws -> Int {
        for try await value in try await client.query(PostgresQuery(unsafeSQL: sql)).decode(Int.self) { return value }
        return -1
    }

    @Test("applies the shipped migrations once and records their checksums")
    func appliesOnce() async throws {
        try await TestEnvironment.withEmptyDatabase { configuration async throws in
            try await TestEnvironment.withClient(configuration) { client async throws in
                let runner = MigrationRunner(client: client, migrations: try Migration.bundled(), logger: logger)
                let first = try await runner.apply()
                #expect(first.map(\.version) == (try Migration.bundled()).map(\.version))
                #expect(first.count >= 3)
                #expect(try await runner.apply().isEmpty)
                #expect(try await count("SELECT count(*)::int FROM arkyra_schema_migrations", client) == first.count)
                #expect(try await count("SELECT count(*)::int FROM information_schema.tables WHERE table_name IN ('organizations','users','memberships','integrations','posts','media','tags','audit_events','dead_jobs')", client) == 9)
                #expect(try await runner.status().allSatisfy { $0.appliedAt != nil })
            }
        }
    }

    @Test("started before PostgreSQL listens, the runner keeps trying instead of failing, and migrates once it can")
    func waitsForTheDatabase() async throws {
        try await TestEnvironment.withEmptyDatabase { configuration async throws in
            var early = configuration
            early.port = try freeTCPPort()
            early.acquireTimeout = .milliseconds(200)
            try await TestEnvironment.withClient(early) { client async throws in
                let runner = MigrationRunner(client: client, migrations: try Migration.ordered([("0001_first", "CREATE TABLE first (id int)")]), logger: logger)
                let applying = Task { try await runner.applyWaitingForDatabase() }
                // Several of its 200 ms tries fail meanwhile; apply() alone would have thrown after the first.
                try await Task.sleep(for: .seconds(1))
                try await TCPForwarder.with(port: early.port, targetPort: configuration.port) { _ in
                    let applied = try await applying.value
                    #expect(applied.map(\.version) == [1])
                }
            }
        }
    }

    @Test("a migration PostgreSQL refuses is reported at once, not waited on")
    func refusedMigrationFails() async throws {
        try await TestEnvironment.withEmptyDatabase { configuration async throws in
            try await TestEnvironment.withClient(configuration) { client async throws in
                let runner = MigrationRunner(client: client, migrations: try Migration.ordered([("0001_broken", "SELECT * FROM no_such_table")]), logger: logger)
                await #expect(throws: PostgresTransactionError.self) { try await runner.applyWaitingForDatabase() }
            }
        }
    }

    @Test("replicas migrating at the same time apply each migration exactly once")
    func concurrentReplicas() async throws {
        try await TestEnvironment.withEmptyDatabase { configuration async throws in
            let migrations = try Migration.ordered([
                ("0001_first", "CREATE TABLE first (id int); INSERT INTO first VALUES (1);"),
                ("0002_second", "INSERT INTO first VALUES (2); SELECT pg_sleep(0.2);"),
            ])
            let applied = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await TestEnvironment.withClient(configuration) { client async throws in
                            try await MigrationRunner(client: client, migrations: migrations, logger: logger).apply().count
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(applied == 2)
            try await TestEnvironment.withClient(configuration) { client async throws in
                #expect(try await count("SELECT count(*)::int FROM first", client) == 2)
            }
        }
    }

    @Test("a changed applied migration stops with a clear error; a failing one rolls back")
    func checksumAndRollback() async throws {
        try await TestEnvironment.withEmptyDatabase { configuration async throws in
            try await TestEnvironment.withClient(configuration) { client async throws in
                let original = try Migration.ordered([("0001_first", "CREATE TABLE first (id int);")])
                try await MigrationRunner(client: client, migrations: original, logger: logger).apply()
                let changed = try Migration.ordered([("0001_first", "CREATE TABLE first (id bigint);")])
                await #expect(performing: {
                    try await MigrationRunner(client: client, migrations: changed, logger: logger).apply()
                }, throws: { error in
                    guard case .checksumMismatch(let version, _, _, _) = error as? MigrationError else { return false }
                    return version == 1
                })
                let failing = original + (try Migration.ordered([("0002_broken", "CREATE TABLE second (id int); SELECT * FROM missing_table;")]))
                await #expect(throws: (any Error).self) {
                    try await MigrationRunner(client: client, migrations: failing, logger: logger).apply()
                }
                #expect(try await count("SELECT count(*)::int FROM information_schema.tables WHERE table_name = 'second'", client) == 0)
                #expect(try await count("SELECT count(*)::int FROM arkyra_schema_migrations", client) == 1)
            }
        }
    }

    @Test("malformed file names and duplicate versions are refused")
    func fileNames() {
        #expect(throws: MigrationError.badFileName("first")) { try Migration.ordered([("first", "")]) }
        #expect(throws: MigrationError.duplicateVersion(1)) { try Migration.ordered([("0001_a", ""), ("1_b", "")]) }
    }
}
