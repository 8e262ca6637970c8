import ArkyraCore
import Testing

@Suite("SQL statement splitter")
struct SQLStatementSplitterTests {
    @Test("splits at top-level semicolons only")
    func splits() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE a (note text DEFAULT 'x;y', "odd;name" int);
            /* block; /* nested; */ still comment */
            INSERT INTO a VALUES ('it''s; fine', 1);
            CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql;
            SELECT $$a;b$$;
            -- trailing comment only
            """
        let statements = SQLStatementSplitter.split(script)
        #expect(statements.count == 4)
        #expect(statements[0].hasSuffix(#"CREATE TABLE a (note text DEFAULT 'x;y', "odd;name" int)"#))
        #expect(statements[1].hasSuffix("INSERT INTO a VALUES ('it''s; fine', 1)"))
        #expect(statements[2] == "CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql")
        #expect(statements[3] == "SELECT $$a;b$$")
    }

    @Test("the shipped schema splits into its statements")
    func shippedSchema() throws {
        let migration = try #require(try Migration.bundled().first)
        let statements = SQLStatementSplitter.split(migration.sql)
        #expect(statements.filter { $0.contains("CREATE TABLE") }.count == 10)
        #expect(statements.allSatisfy { !$0.hasSuffix(";") })
    }
}
