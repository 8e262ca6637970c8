import Crypto
import Foundation

/// One versioned SQL file from `Database/Migrations`, named `NNNN_description.sql`.
package struct Migration: Sendable, Equatable {
    package let version: Int
    package let name: String
    package let sql: String
    /// SHA-256 of the file, hex; an applied migration whose file changed stops start-up.
    package let checksum: String

    package init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = SHA256.hash(data: Data(sql.utf8)).hexString
    }

    /// The migrations shipped with ArkyraCore, in version order.
    /// - Throws: ``MigrationError`` when a file name is malformed or a version repeats.
    package static func bundled() throws -> [Migration] {
        guard let folder = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw MigrationError.missingResources
        }
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
        return try ordered(files.map { file in
            (file.deletingPathExtension().lastPathComponent, try String(contentsOf: file, encoding: .utf8))
        })
    }

    /// Builds migrations from `(file name without .sql, contents)` pairs, sorted by version.
    /// - Throws: ``MigrationError`` when a name is malformed or a version repeats.
    package static func ordered(_ files: [(name: String, sql: String)]) throws -> [Migration] {
        var migrations: [Migration] = []
        for file in files {
            let parts = file.name.split(separator: "_", maxSplits: 1)
            guard parts.count == 2, let version = Int(parts[0]), version > 0 else {
                throw MigrationError.badFileName(file.name)
            }
            migrations.append(Migration(version: version, name: String(parts[1]), sql: file.sql))
        }
        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw MigrationError.duplicateVersion(next.version)
        }
        return migrations
    }
}

/// Why migrating stopped.
package enum MigrationError: Error, CustomStringConvertible, Equatable {
    case missingResources
    case badFileName(String)
    case duplicateVersion(Int)
    /// An applied migration's file no longer matches what was applied.
    case checksumMismatch(version: Int, name: String, applied: String, file: String)
    /// The database has a migration this build does not know (it was migrated by a newer build).
    case unknownApplied(version: Int, name: String)

    package var description: String {
        switch self {
        case .missingResources: return "the Migrations resource folder is missing from the bundle"
        case .badFileName(let name): return "migration file '\(name).sql' is not named NNNN_description.sql"
        case .duplicateVersion(let version): return "two migration files have version \(version)"
        case .checksumMismatch(let version, let name, let applied, let file):
            return "migration \(version) (\(name)) was changed after it was applied: checksum \(applied.prefix(12)) in the database, \(file.prefix(12)) in the file. Restore the file and add a new migration instead."
        case .unknownApplied(let version, let name):
            return "the database has migration \(version) (\(name)) which this build does not ship; run a build at least as new as the one that applied it"
        }
    }
}
