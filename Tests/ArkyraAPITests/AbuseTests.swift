import ArkyraAPI
import ArkyraCore
import ArkyraTestSupport
import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import Testing

@Suite("API under abuse: one client cannot take it down")
struct AbuseTests {
    @Test("40 concurrent deletes of unknown post groups with one API key all answer, and the API answers afterwards")
    func concurrentGroupDeletes() async throws {
        try await APITestHarness.run { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let created = try await api.request(.post, "/api/v1/organizations/\(organization)/api-keys", token: owner, json: ["name": "flood"])
            let key = try #require(created.json["key"] as? String)
            var headers = HTTPFields()
            headers[.authorization] = key
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<40 {
                    group.addTask { [headers] in
                        try await api.request(.delete, "/public/v1/posts/group/\(UUID().uuidString)", headers: headers).status
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            // Each answers: 404 for the unknown group, or 429 once the key's budget is spent — never a hang.
            #expect(statuses.count == 40)
            #expect(statuses.allSatisfy { $0 == .notFound || $0 == .tooManyRequests })
            #expect(statuses.contains(.notFound))
            #expect(try await api.request(.get, "/health").status == .ok)
            #expect(try await api.request(.get, "/api/v1/organizations", token: owner).status == .ok)
        }
    }

    @Test("strangers cannot spend an organization's budget; a request one budget refuses spends no other")
    func organizationBudget() async throws {
        try await APITestHarness.run(rateLimits: .init(perUser: 1000, perOrganization: 4)) { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let stranger = try await api.signUp()
            for _ in 0..<10 {
                #expect(try await api.request(.get, "/api/v1/organizations/\(organization)/posts", token: stranger).status == .notFound)
                #expect(try await api.request(.get, "/api/v1/organizations/\(organization)/posts").status == .unauthorized)
            }
            let range = "from=\(ISO8601Timestamp.format(Date()))&to=\(ISO8601Timestamp.format(Date().addingTimeInterval(3600)))"
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<6 { statuses.append(try await api.request(.get, "/api/v1/organizations/\(organization)/posts?\(range)", token: owner).status) }
            #expect(statuses == [.ok, .ok, .ok, .ok, .tooManyRequests, .tooManyRequests])
        }
    }

    @Test("ten wrong passwords from one address lock that address out of the account, not its owner elsewhere; concurrent guesses stay within the limit")
    func loginThrottling() async throws {
        // The test client connects from 127.0.0.1 and says it forwards for 10.0.0.1, which forwards for the
        // client: both proxies are trusted, so the client is the address left of them.
        try await APITestHarness.run(overSocket: true, configure: { $0.trustedProxies = [IPRange("127.0.0.1")!, IPRange("10.0.0.0/8")!] }) { api in
            _ = try await api.request(.post, "/api/v1/auth/register", json: ["email": "owner@example.com", "password": "correct horse", "name": "Owner"])
            func login(_ password: String, from address: String) async throws -> HTTPResponse.Status {
                var headers = HTTPFields()
                headers[HTTPField.Name("X-Forwarded-For")!] = "\(address), 10.0.0.1"
                return try await api.request(.post, "/api/v1/auth/login", json: ["email": "owner@example.com", "password": password], headers: headers).status
            }
            // Twenty guesses at once from one address: at most ten reach the password check.
            let guesses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<20 { group.addTask { try await login("guess guess", from: "203.0.113.7") } }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(guesses.filter { $0 == .unauthorized }.count == 10)
            #expect(guesses.filter { $0 == .tooManyRequests }.count == 10)
            #expect(try await login("correct horse", from: "203.0.113.7") == .tooManyRequests)
            let elsewhere = try await login("correct horse", from: "198.51.100.9")
            #expect(elsewhere == .ok)
            // Right passwords are given back: the owner logs in again and again.
            for _ in 0..<12 { #expect(try await login("correct horse", from: "198.51.100.9") == .ok) }
        }
    }

    @Test("a client that trickles its request head is disconnected at the header deadline; a prompt one is served")
    func slowHeaders() async throws {
        try await APITestHarness.run(overSocket: true, configure: { $0.headerTimeout = .seconds(1) }) { api in
            let port = try #require(api.client.port)
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
            let started = ContinuousClock.now
            // One header line every 300 ms, never the blank line that ends the head.
            let trickle = Task {
                for index in 0..<20 {
                    try await channel.writeAndFlush(ByteBuffer(string: index == 0 ? "GET /health HTTP/1.1\r\n" : "X-Slow-\(index): y\r\n")).get()
                    try await Task.sleep(for: .milliseconds(300))
                }
            }
            try await channel.closeFuture.get()
            trickle.cancel()
            let lasted = ContinuousClock.now - started
            #expect(lasted >= .milliseconds(900))
            #expect(lasted < .seconds(5), "closed after \(lasted), not at the one-second deadline")
            // A new connection that sends its head at once is served. (The test client's own connection has
            // sat idle past the deadline, so it was closed too.) The root answers without asking any dependency,
            // so a slow probe on a busy machine cannot make this a 503.
            let prompt = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/"), timeout: .seconds(5))
            #expect(prompt.status == .ok)
        }
    }
}
