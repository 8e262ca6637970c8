import PostgresNIO

/// A database outcome a caller acts on (the rest are infrastructure failures and propagate as they are).
package enum RepositoryError: Error, Equatable {
    /// A unique constraint refused the row; the associated value names the constraint.
    case conflict(String)
}

extension PSQLError {
    /// The violated unique constraint's name, when this is a unique violation (SQLSTATE 23505).
    var uniqueViolation: String? {
        guard serverInfo?[.sqlState] == "23505" else { return nil }
        return serverInfo?[.constraintName] ?? "unique"
    }
}

/// Runs `body`, turning a unique violation into ``RepositoryError/conflict(_:)``.
func mappingConflicts<Result>(_ body: () async throws -> Result) async throws -> Result {
    do {
        return try await body()
    } catch let error as PSQLError {
        if let constraint = error.uniqueViolation { throw RepositoryError.conflict(constraint) }
        throw error
    }
}

extension Optional {
    /// The value of a row an INSERT … RETURNING always returns.
    /// - Throws: a decoding error when the database returned nothing.
    func unwrapped() throws -> Wrapped {
        guard let self else { throw PostgresDecodingError.Code.missingData }
        return self
    }
}
