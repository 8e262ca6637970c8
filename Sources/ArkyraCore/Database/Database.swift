import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The only way into PostgreSQL for services and repositories. It owns the connection pool, so code that
/// is handed a `Database` cannot lease from the pool behind its back, and it makes nested acquisition
/// impossible: while a task holds a connection (inside ``withConnection(_:)`` or ``inTransaction(logger:_:)``),
/// every query, connection or transaction that task asks for runs on the connection it already holds — a
/// transaction joins the one in progress. A handler can therefore never wait for a second connection while
/// holding one, which is how a burst of concurrent requests used to exhaust the pool for good.
///
/// Every lease has a deadline: a caller that waits longer than ``acquireTimeout`` for a free connection
/// gets ``DatabaseBusyError`` (the API answers 503 with `Retry-After`), never a hang. A cancelled caller
/// (a client that went away) stops waiting for its lease at once.
package struct Database: Service, Sendable {
    private let pool: PostgresClient
    /// How long a caller may wait for a free connection.
    package let acquireTimeout: Duration
    /// The most connections the pool opens (nil when the pool was made elsewhere).
    package let maxConnections: Int?
    /// Leases held and callers waiting, shared by every copy over this pool (``usage``).
    private let counters: LeaseCounters
    private let logger: Logger

    /// The connection the current task holds, the pool it came from, and whether a transaction is open on it.
    private struct Held: Sendable {
        var pool: ObjectIdentifier
        var connection: PostgresConnection
        var inTransaction: Bool
    }

    @TaskLocal private static var held: Held?

    /// The connection this task holds from this database's pool (another pool's connection is not ours).
    /// - Throws: ``DatabaseConnectionClosedError`` when it has closed since (see ``open(_:)``).
    private func heldHere() throws -> Held? {
        guard let held = Self.held, held.pool == ObjectIdentifier(pool) else { return nil }
        _ = try Self.open(held.connection)
        return held
    }

    /// `connection`, if it is still open. PostgresNIO (1.33) never answers a query written to a connection
    /// that has already closed — the write fails where nobody hears it — so a connection that PostgreSQL
    /// ended (a restart, `pg_terminate_backend`) must not be given another query: it would wait forever.
    private static func open(_ connection: PostgresConnection) throws -> PostgresConnection {
        guard !connection.isClosed else { throw DatabaseConnectionClosedError() }
        return connection
    }

    /// A database over `pool`, which runs as part of this service.
    package init(pool: PostgresClient, acquireTimeout: Duration = .seconds(5), maxConnections: Int? = nil, logger: Logger) {
        self.init(pool: pool, acquireTimeout: acquireTimeout, maxConnections: maxConnections, counters: LeaseCounters(), logger: logger)
    }

    private init(pool: PostgresClient, acquireTimeout: Duration, maxConnections: Int?, counters: LeaseCounters, logger: Logger) {
        self.pool = pool
        self.acquireTimeout = acquireTimeout
        self.maxConnections = maxConnections
        self.counters = counters
        self.logger = logger
    }

    /// A pool for `configuration` (see ``DatabaseConfiguration``), with its acquisition deadline.
    package init(configuration: DatabaseConfiguration, logger: Logger) {
        self.init(
            pool: PostgresClient(configuration: configuration, logger: logger), acquireTimeout: configuration.acquireTimeout,
            maxConnections: configuration.maxConnections, logger: logger
        )
    }

    /// The same pool with another acquisition deadline (for callers that should give up sooner or later).
    package func waiting(atMost acquireTimeout: Duration) -> Database {
        Database(pool: pool, acquireTimeout: acquireTimeout, maxConnections: maxConnections, counters: counters, logger: logger)
    }

    /// Connections leased right now and callers waiting for one (the operators' pool gauges).
    package var usage: (inUse: Int, waiting: Int) {
        (counters.inUse.load(ordering: .relaxed), counters.waiting.load(ordering: .relaxed))
    }

    /// Runs the pool until the service group shuts down.
    package func run() async {
        await pool.run()
    }

    /// Runs `body` with a database whose pool runs only for the span of the call — for commands and tests
    /// that work outside a service group.
    package static func withRunning<Result>(
        configuration: DatabaseConfiguration, logger: Logger, _ body: (Database) async throws -> Result
    ) async throws -> Result {
        let database = Database(configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.run() }
            defer { group.cancelAll() }
            return try await body(database)
        }
    }

    /// Runs `SELECT 1`, failing when the database does not answer within `timeout`.
    /// - Throws: ``TimeoutError``, ``DatabaseBusyError`` or the database error.
    package func ping(timeout: Duration = .seconds(2)) async throws {
        try await withTimeout(timeout) {
            _ = try await self.query("SELECT 1")
        }
    }

    /// Runs `body` with a connection: the one this task already holds, or a new lease.
    /// - Throws: ``DatabaseBusyError`` when no connection is free within ``acquireTimeout``; `body`'s errors.
    package func withConnection<Result>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        if let held = try heldHere() { return try await body(held.connection) }
        return try await lease { connection in
            try await Self.$held.withValue(Held(pool: ObjectIdentifier(pool), connection: connection, inTransaction: false)) { try await body(connection) }
        }
    }

    /// Runs `body` in a transaction, committed when it returns and rolled back when it throws; inside a
    /// transaction already open in this task, `body` joins it. An error thrown by `body` comes out as itself;
    /// failures to begin, commit or roll back come out as `PostgresTransactionError`.
    /// - Throws: ``DatabaseBusyError`` when no connection is free within ``acquireTimeout``; `body`'s errors.
    package func inTransaction<Result: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        if let held = try heldHere() {
            if held.inTransaction { return try await body(held.connection) }
            return try await transaction(on: held.connection, logger: logger, body)
        }
        return try await lease { connection in try await transaction(on: connection, logger: logger, body) }
    }

    /// Runs one query on this task's connection or a leased one and reads all its rows. The deadline covers
    /// only the wait for a connection: a statement that is slow once it runs (waiting for a row lock, say) is
    /// never reported as ``DatabaseBusyError``, since it may still commit.
    /// - Throws: ``DatabaseBusyError`` when no connection is free within ``acquireTimeout``; `PSQLError`.
    @discardableResult
    package func query(_ query: PostgresQuery, logger: Logger? = nil, file: String = #fileID, line: Int = #line) async throws -> Rows {
        try await withConnection { connection in
            Rows(try await connection.query(query, logger: logger ?? self.logger, file: file, line: line).collect())
        }
    }

    /// Runs a prepared statement on this task's connection or a leased one, and reads all its rows.
    /// - Throws: ``DatabaseBusyError`` when no connection is free within ``acquireTimeout``; `PSQLError`.
    package func execute<Statement: PostgresPreparedStatement>(
        _ statement: Statement, logger: Logger? = nil, file: String = #fileID, line: Int = #line
    ) async throws -> [Statement.Row] {
        try await withConnection { connection in
            var rows: [Statement.Row] = []
            for try await row in try await connection.execute(statement, logger: logger ?? self.logger, file: file, line: line) { rows.append(row) }
            return rows
        }
    }

    private func transaction<Result: Sendable>(
        on connection: PostgresConnection, logger: Logger, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await connection.withTransaction(logger: logger) { connection in
                try await Self.$held.withValue(Held(pool: ObjectIdentifier(pool), connection: connection, inTransaction: true)) { try await body(connection) }
            }
        } catch let error as PostgresTransactionError where error.rollbackError == nil && error.beginError == nil && error.commitError == nil {
            if let cause = error.closureError { throw cause }
            throw error
        }
    }

    /// Leases a connection for `body` with a deadline on the wait. The pool lends a connection only for the
    /// span of a closure, and `body` may not cross tasks, so a child task holds the lease and hands the
    /// connection over; a timer child gives up on it after ``acquireTimeout``, which cancels the pending lease.
    private func lease<Result>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let connection = OneShot<PostgresConnection>()
        let returned = OneShot<Void>()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [pool] in
                do {
                    try await pool.withConnection { leased in
                        // Only the winner waits: a connection that arrives after the deadline goes straight back.
                        if connection.resolve(.success(leased)) { _ = try? await returned.valueIgnoringCancellation() }
                    }
                } catch {
                    connection.resolve(.failure(error))
                }
            }
            group.addTask { [acquireTimeout, logger] in
                try? await Task.sleep(for: acquireTimeout)
                if connection.resolve(.failure(DatabaseBusyError(waited: acquireTimeout))) {
                    logger.warning("no database connection free", metadata: ["waited": "\(acquireTimeout)"])
                }
            }
            defer { returned.resolve(.success(())) }
            let leased: PostgresConnection
            counters.waiting.add(1, ordering: .relaxed)
            do {
                leased = try await connection.value()
                counters.waiting.subtract(1, ordering: .relaxed)
            } catch {
                counters.waiting.subtract(1, ordering: .relaxed)
                group.cancelAll()
                throw error
            }
            group.cancelAll()
            counters.inUse.add(1, ordering: .relaxed)
            defer { counters.inUse.subtract(1, ordering: .relaxed) }
            return try await body(try Self.open(leased))
        }
    }
}

/// How many leases of one pool are held and awaited.
private final class LeaseCounters: Sendable {
    let inUse = Atomic<Int>(0)
    let waiting = Atomic<Int>(0)
}

/// Thrown instead of querying a connection that PostgreSQL has closed (it restarted, or ended the session).
package struct DatabaseConnectionClosedError: Error, CustomStringConvertible, Sendable {
    package var description: String { "the database connection closed" }
}

/// Thrown when no database connection became free within the deadline: the pool is exhausted for now.
package struct DatabaseBusyError: Error, CustomStringConvertible, Sendable {
    /// How long the caller waited.
    package var waited: Duration
    package var description: String { "no database connection became free within \(waited)" }
}

/// The rows of one query, read in full before its connection went back to the pool. They decode like
/// PostgresNIO's row sequence: `for try await (id, name) in rows.decode((UUID, String).self)`.
package struct Rows: AsyncSequence, Sendable {
    package typealias Element = PostgresRow
    package let all: [PostgresRow]

    init(_ rows: [PostgresRow]) { all = rows }

    package struct AsyncIterator: AsyncIteratorProtocol {
        var rows: IndexingIterator<[PostgresRow]>
        package mutating func next() async throws -> PostgresRow? { rows.next() }
    }

    package func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rows: all.makeIterator()) }
}
