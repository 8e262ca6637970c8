import ArkyraCore
import ArkyraTestSupport
import Foundation
import PostgresNIO
import Testing

@Suite("Database: one connection per task, and a deadline on every lease")
struct DatabaseTests {
    /// A database of one connection, so that any second lease by the same task would wait forever.
    static func withSingleConnection(_ body: (Database) async throws -> Void) async throws {
        try await TestEnvironment.withEmptyDatabase { configuration in
            var single = configuration
            single.maxConnections = 1
            single.acquireTimeout = .seconds(30)
            try await Database.withRunning(configuration: single, logger: TestEnvironment.logger) { database in
                try await database.query("CREATE TABLE items (name text PRIMARY KEY)")
                try await body(database)
            }
        }
    }

    @Test("queries, connections and transactions asked for inside a transaction run on its connection and see its writes")
    func nestedUseTheHeldConnection() async throws {
        try await Self.withSingleConnection { database in
            let seen = try await database.inTransaction(logger: TestEnvironment.logger) { connection -> [String] in
                try await connection.query("INSERT INTO items VALUES ('a')")
                var names: [String] = []
                for try await name in try await database.query("SELECT name FROM items").decode(String.self) { names.append(name) }
                try await database.withConnection { try await $0.query("INSERT INTO items VALUES ('b')") }
                try await database.inTransaction(logger: TestEnvironment.logger) { try await $0.query("INSERT INTO items VALUES ('c')") }
                names += try await database.execute(CountStatement()).map { "\($0)" }
                return names
            }
            #expect(seen == ["a", "3"])
        }
    }

    @Test("an error in a joined transaction rolls back the whole transaction")
    func joinedTransactionRollsBack() async throws {
        try await Self.withSingleConnection { database async throws in
            await #expect(throws: Refused.self) {
                try await database.inTransaction(logger: TestEnvironment.logger) { connection in
                    _ = try await connection.query("INSERT INTO items VALUES ('a')")
                    try await database.inTransaction(logger: TestEnvironment.logger) { _ -> Void in throw Refused() }
                }
            }
            #expect(try await database.execute(CountStatement()) == [0])
        }
    }

    @Test("a caller that finds no free connection within the deadline gets DatabaseBusyError; the pool recovers")
    func exhaustionIsAnError() async throws {
        try await Self.withSingleConnection { database in
            let impatient = database.waiting(atMost: .milliseconds(300))
            let holding = OneShotSignal()
            let release = OneShotSignal()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await database.withConnection { _ in
                        holding.fire()
                        await release.wait()
                    }
                }
                await holding.wait()
                await #expect(throws: DatabaseBusyError.self) { try await impatient.query("SELECT 1") }
                await #expect(throws: DatabaseBusyError.self) { try await impatient.withConnection { _ in } }
                await #expect(throws: DatabaseBusyError.self) { try await impatient.inTransaction(logger: TestEnvironment.logger) { _ in } }
                await #expect(throws: DatabaseBusyError.self) { try await impatient.execute(CountStatement()) }
                release.fire()
                try await group.waitForAll()
            }
            #expect(try await database.execute(CountStatement()) == [0])
        }
    }

    @Test("a statement that is slow once it runs (waiting for a row lock) is not cut off by the lease deadline")
    func slowStatementIsNotBusy() async throws {
        try await TestEnvironment.withEmptyDatabase { configuration in
            var two = configuration
            two.maxConnections = 2
            try await Database.withRunning(configuration: two, logger: TestEnvironment.logger) { database in
                // Setting up waits as long as the machine needs; only the statement under test has a short deadline.
                let impatient = database.waiting(atMost: .seconds(2))
                // Both connections open before the clock matters.
                async let first: Void = database.withConnection { _ = try await $0.query("SELECT pg_sleep(0.2)") }
                async let second: Void = database.withConnection { _ = try await $0.query("SELECT pg_sleep(0.2)") }
                _ = try await (first, second)
                try await database.query("CREATE TABLE items (name text PRIMARY KEY)")
                try await database.query("INSERT INTO items VALUES ('a')")
                let locked = OneShotSignal()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        try await database.inTransaction(logger: TestEnvironment.logger) { connection in
                            try await connection.query("SELECT name FROM items FOR UPDATE")
                            locked.fire()
                            try await Task.sleep(for: .seconds(5))
                        }
                    }
                    await locked.wait()
                    // Waits about five seconds for the lock, past the two-second deadline, and still commits.
                    try await impatient.query("UPDATE items SET name = 'b' WHERE name = 'a'")
                    try await group.waitForAll()
                }
                var names: [String] = []
                for try await name in try await database.query("SELECT name FROM items").decode(String.self) { names.append(name) }
                #expect(names == ["b"])
            }
        }
    }

    struct Refused: Error {}

    struct CountStatement: PostgresPreparedStatement {
        typealias Row = Int
        static let sql = "SELECT count(*)::int FROM items"
        func makeBindings() throws -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws -> Int { try row.decode(Int.self) }
    }
}

/// Fired once, awaited by one task.
final class OneShotSignal: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() { (stream, continuation) = AsyncStream.makeStream() }
    func fire() { continuation.finish() }
    func wait() async { for await _ in stream {} }
}
