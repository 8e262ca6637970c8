@testable import ArkyraAPI
import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

@Suite("API: the OpenAPI description")
struct OpenAPITests {
    @Test("it describes exactly the routes the router serves")
    func inStepWithRouter() async throws {
        let service = TestEnvironment.service(database: TestEnvironment.maintenanceDatabase, redis: TestEnvironment.redisConfiguration())
        let configuration = APIConfiguration(service: service, security: TestEnvironment.security(), port: 0)
        let router = buildRouter(
            configuration: configuration, database: Database(configuration: service.database, logger: TestEnvironment.logger),
            redis: RedisClient(configuration: service.redis), httpClient: .shared, logger: TestEnvironment.logger
        )
        // The web app's pages are HTML for browsers, not API operations.
        let served = Set(router.routes.filter { !WebRoutes.serves("\($0.path)") }.map { "\($0.method) \(Self.normalized("\($0.path)"))" })
        #expect(router.routes.contains { WebRoutes.serves("\($0.path)") })
        let described = Set(OpenAPISpec.operations.map { "\($0.method) \(Self.normalized($0.path))" })
        #expect(served.subtracting(described).sorted() == [], "served but not described")
        #expect(described.subtracting(served).sorted() == [], "described but not served")
        #expect(OpenAPISpec.operations.count == described.count, "an operation is described twice")
    }

    @Test("docs/openapi.json is the description the code builds (regenerate with `arkyra-api openapi > docs/openapi.json`)")
    func committedCopy() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try Data(contentsOf: root.appendingPathComponent("docs/openapi.json"))
        let committedText = String(decoding: committed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(committedText == String(decoding: try OpenAPISpec.json(), as: UTF8.self))
    }

    @Test("the description is served at /openapi.json and rendered at /docs; every schema it references exists")
    func served() async throws {
        try await APITestHarness.run { api in
            let spec = try await api.request(.get, "/openapi.json")
            #expect(spec.status == .ok)
            #expect(spec.json["openapi"] as? String == "3.1.0")
            let text = String(buffer: spec.body)
            let schemas = Set((spec.json["components"] as? [String: Any])?["schemas"].flatMap { ($0 as? [String: Any])?.keys.map { $0 } } ?? [])
            let references = Set(text.matches(of: /"#\/components\/schemas\/([A-Za-z]+)"/).map { String($0.output.1) })
            #expect(references.subtracting(schemas).isEmpty, "missing schemas: \(references.subtracting(schemas))")
            let docs = try await api.request(.get, "/docs")
            #expect(docs.status == .ok)
            #expect(docs.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(String(buffer: docs.body).contains("/openapi.json"))
        }
    }

    /// `/api/v1/posts/:post` and `/api/v1/posts/{post}` alike, without a trailing slash.
    static func normalized(_ path: String) -> String {
        let parts = path.split(separator: "/").map { part in part.hasPrefix(":") ? "{}" : (part.hasPrefix("{") ? "{}" : String(part)) }
        return "/" + parts.joined(separator: "/")
    }
}
