import Foundation
import Logging
import PostgresNIO

/// Applies migrations in order, each in its own transaction, recorded with its checksum in
/// `arkyra_schema_migrations`. A PostgreSQL advisory lock makes replicas that start together take turns, so
/// each migration is applied exactly once.
package struct MigrationRunner: Sendable {
    package let client: Database
    package let migrations: [Migration]
    package let logger: Logger

    package init(client: Database, migrations: [Migration], logger: Logger) {
        self.client = client
        self.migrations = migrations
        self.logger = logger
    }

    /// One migration and whether (and when) it was applied.
    package struct Status: Sendable, Equatable {
        package var version: Int
        package var name: String
        package var appliedAt: Date?
    }

    /// Applies every pending migration and returns the ones applied now.
    /// - Throws: ``MigrationError`` for a changed or unknown applied migration, or the database error of a
    ///   failing migration (which is rolled back).
    @discardableResult
    package func apply() async throws -> [Migration] {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(AdvisoryLockKey.migrations))", logger: logger)
            do {
                let applied = try await prepare(connection)
                var appliedNow: [Migration] = []
                for migration in migrations where applied[migration.version] == nil {
                    let clock = ContinuousClock()
                    let start = clock.now
                    try await connection.withTransaction(logger: logger) { connection in
                        for statement in SQLStatementSplitter.split(migration.sql) {
                            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        let elapsed = Int((clock.now - start).milliseconds)
                        try await connection.query(
                            """
                            INSERT INTO arkyra_schema_migrations (version, name, checksum, duration_ms)
                            VALUES (\(migration.version), \(migration.name), \(migration.checksum), \(elapsed))
                            """,
                            logger: logger
                        )
                    }
                    logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                    appliedNow.append(migration)
                }
                try await connection.query("SELECT pg_advisory_unlock(\(AdvisoryLockKey.migrations))", logger: logger)
                return appliedNow
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(AdvisoryLockKey.migrations))", logger: logger)
                throw error
            }
        }
    }

    /// Every known migration with the time it was applied (nil when pending).
    /// - Throws: ``MigrationError`` for a changed or unknown applied migration.
    package func status() async throws -> [Status] {
        try await client.withConnection { connection in
            let applied = try await prepare(connection)
            return migrations.map { Status(version: $0.version, name: $0.name, appliedAt: applied[$0.version]?.appliedAt) }
        }
    }

    private struct Applied {
        var name: String
        var checksum: String
        var appliedAt: Date
    }

    /// Creates the history table when missing, reads it and checks it against the shipped files.
    private func prepare(_ connection: PostgresConnection) async throws -> [Int: Applied] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS arkyra_schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                duration_ms integer NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            logger: logger
        )
        var applied: [Int: Applied] = [:]
        let rows = try await connection.query(
            "SELECT version, name, checksum, applied_at FROM arkyra_schema_migrations ORDER BY version", logger: logger
        )
        for try await (version, name, checksum, appliedAt) in rows.decode((Int, String, String, Date).self) {
            applied[version] = Applied(name: name, checksum: checksum, appliedAt: appliedAt)
        }
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for (version, record) in applied.sorted(by: { $0.key < $1.key }) {
            guard let migration = known[version] else {
                throw MigrationError.unknownApplied(version: version, name: record.name)
            }
            guard migration.checksum == record.checksum else {
                throw MigrationError.checksumMismatch(version: version, name: migration.name, applied: record.checksum, file: migration.checksum)
            }
        }
        return applied
    }
}
