@testable import ArkyraAPI
import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import HummingbirdWSClient
import Synchronization
import Testing

@Suite("API: the organization's event stream")
struct EventStreamTests {
    @Test("a member's WebSocket receives the organization's post events; others, and ended sessions, are not upgraded")
    func relaysEvents() async throws {
        try await APITestHarness.run(overSocket: true) { api in
            let email = "events@example.com"
            let token = try await api.signUp(email)
            let organization = try await api.createOrganization(token)
            let organizationID = try #require(UUID(uuidString: organization))
            let port = try #require(api.client.port)
            let event = PostEvent(type: "post.published", organizationID: organizationID, postID: UUID(), state: .published, platformURL: "https://x/1")
            let received = Mutex<String?>(nil)
            try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)/api/v1/organizations/\(organization)/events?access_token=\(token)", logger: TestEnvironment.logger
            ) { inbound, outbound, _ in
                // The server subscribes right after the upgrade; publish until the first event comes through.
                let publisher = Task {
                    for _ in 0..<50 {
                        try await EventPublisher(redis: api.redis).publish(event)
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                for try await message in inbound.messages(maxSize: 1 << 16) {
                    if case .text(let text) = message {
                        received.withLock { $0 = text }
                        break
                    }
                }
                publisher.cancel()
                try await outbound.close(.normalClosure, reason: nil)
            }
            let text = try #require(received.withLock { $0 })
            #expect(text.contains(#""type":"post.published""#))
            #expect(text.contains(event.postID.uuidString))

            // Without a WebSocket, the route says so; a stranger's upgrade is refused and answered over HTTP.
            let plain = try await api.request(.get, "/api/v1/organizations/\(organization)/events", token: token)
            #expect(plain.status == .upgradeRequired)
            let stranger = try await api.signUp()
            #expect(try await api.request(.get, "/api/v1/organizations/\(organization)/events", token: stranger).status == .notFound)
            await #expect(throws: (any Error).self) {
                try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(port)/api/v1/organizations/\(organization)/events?access_token=\(stranger)", logger: TestEnvironment.logger
                ) { _, _, _ in }
            }
            // A logged-out session's token no longer opens the stream.
            #expect(try await api.request(.post, "/api/v1/auth/logout", token: token).status == .noContent)
            await #expect(throws: (any Error).self) {
                try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(port)/api/v1/organizations/\(organization)/events?access_token=\(token)", logger: TestEnvironment.logger
                ) { _, _, _ in }
            }
            let fresh = try #require(try await api.request(.post, "/api/v1/auth/login", json: ["email": email, "password": "correct horse"]).json["access_token"] as? String)
            let notifications = try await api.request(.get, "/api/v1/organizations/\(organization)/notifications", token: fresh)
            #expect(notifications.status == .ok)
            #expect((notifications.json["notifications"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("an open socket closes once its session ends or its user leaves the organization")
    func closesWhenAccessEnds() async throws {
        try await APITestHarness.run(overSocket: true) { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let viewer = try await api.member("viewer", of: organization, invitedBy: owner)
            let port = try #require(api.client.port)
            func lastsUntilClosed(_ token: String, after action: @escaping @Sendable () async throws -> Void) async throws -> Duration {
                let clock = ContinuousClock()
                let closedAfter = Mutex<Duration>(.zero)
                try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(port)/api/v1/organizations/\(organization)/events?access_token=\(token)", logger: TestEnvironment.logger
                ) { inbound, _, _ in
                    try await action()
                    let start = clock.now
                    let reading = Task { for try await _ in inbound.messages(maxSize: 1 << 16) {} }
                    let deadline = Task { try await Task.sleep(for: .seconds(10)); reading.cancel() }
                    _ = try? await reading.value
                    deadline.cancel()
                    closedAfter.withLock { $0 = clock.now - start }
                }
                return closedAfter.withLock { $0 }
            }
            let afterLogout = try await lastsUntilClosed(viewer.token) {
                let status = try await api.request(.post, "/api/v1/auth/logout", token: viewer.token).status
                #expect(status == .noContent)
            }
            #expect(afterLogout < .seconds(5), "closed \(afterLogout) after the logout")
            let afterRemoval = try await lastsUntilClosed(owner) {
                _ = try await TestEnvironment.withClient(api.database) { database in
                    try await database.query("UPDATE memberships SET role = 'viewer' WHERE role = 'owner'")
                    try await database.query("DELETE FROM memberships WHERE organization_id = \(UUID(uuidString: organization)!)")
                }
            }
            #expect(afterRemoval < .seconds(5), "closed \(afterRemoval) after the membership went")
        }
    }

    // The limit only guards against a hang: on two busy cores, with every suite starting at once, a minute was seen to pass.
    @Test("a user's eleventh socket, and an address's upgrade beyond its budget, are closed at once with 1013 and the error code",
          .timeLimit(.minutes(3)))
    func capsAnswered() async throws {
        try await APITestHarness.run(overSocket: true, rateLimits: .init(perAddress: 12)) { api in
            let token = try await api.signUp()
            let organization = try await api.createOrganization(token)
            let port = try #require(api.client.port)
            let url = "ws://127.0.0.1:\(port)/api/v1/organizations/\(organization)/events?access_token=\(token)"
            let path = "/api/v1/organizations/\(organization)/events?access_token=\(token)"
            // Each of ten sockets says whether it opened (a failure is reported, never waited for).
            let (opened, openedSignal) = AsyncStream<String?>.makeStream()
            final class Released: Sendable { let flag = Mutex(false) }
            let released = Released()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        do {
                            try await WebSocketClient.connect(url: url, logger: TestEnvironment.logger) { _, outbound, _ in
                                openedSignal.yield(nil)
                                while !released.flag.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(50)) }
                                try await outbound.close(.normalClosure, reason: nil)
                            }
                        } catch {
                            openedSignal.yield("\(error)")
                        }
                    }
                }
                var failures: [String] = []
                var count = 0
                for await failure in opened {
                    if let failure { failures.append(failure) }
                    count += 1
                    if count == 10 { break }
                }
                #expect(failures.isEmpty, "sockets that did not open: \(failures)")
                let eleventh = try #require(try await RawWebSocketUpgrade.send(port: port, path: path), "the eleventh socket was kept open")
                #expect(eleventh.status == "101")
                #expect(eleventh.closeCode == 1013)
                #expect(eleventh.reason?.hasPrefix("too_many_event_streams: 10 event streams per user") == true, "\(eleventh.reason ?? "")")
                // Over plain HTTP the route says the same.
                let plain = try await api.request(.get, "/api/v1/organizations/\(organization)/events", token: token)
                #expect(plain.status == .tooManyRequests)
                #expect(plain.errorCode == "too_many_event_streams")
                #expect(plain.headers[.retryAfter] == "5")
                released.flag.withLock { $0 = true }
                try await group.waitForAll()
            }
            // Once the sockets are closed there is room again; this address has one of its twelve upgrades left.
            var plain = try await api.request(.get, "/api/v1/organizations/\(organization)/events", token: token)
            for _ in 0..<100 where plain.status == .tooManyRequests {
                try await Task.sleep(for: .milliseconds(50))
                plain = try await api.request(.get, "/api/v1/organizations/\(organization)/events", token: token)
            }
            #expect(plain.status == .upgradeRequired)
            let twelfth = try await WebSocketClient.connect(url: url, logger: TestEnvironment.logger) { _, outbound, _ in
                try await outbound.close(.normalClosure, reason: nil)
            }
            #expect(twelfth?.closeCode != .unknown(1013))
            var thirteenth = try await RawWebSocketUpgrade.send(port: port, path: path)
            // The address's budget is a sliding minute, approximated from two fixed windows: when the upgrades
            // straddle a window's end (or a busy machine made the test outlive a minute) the count can dip below
            // twelve for a moment. The refusal must still come within another budget's worth of upgrades.
            var tries = 1
            while thirteenth?.reason?.hasPrefix("too_many_upgrades: ") != true, tries < 14 {
                thirteenth = try await RawWebSocketUpgrade.send(port: port, path: path, timeout: .seconds(2))
                tries += 1
            }
            let refused = try #require(thirteenth, "the thirteenth socket was kept open")
            #expect(refused.closeCode == 1013)
            #expect(refused.reason?.hasPrefix("too_many_upgrades: ") == true, "\(refused.reason ?? "")")
        }
    }

    @Test("sockets are capped per user and per process")
    func caps() async throws {
        try await TestEnvironment.withDatabase { database, _ in
            let revocations = RevokedSessions(database: database, sessions: SessionRepository(logger: TestEnvironment.logger), accessTokenLifetime: .seconds(60), logger: TestEnvironment.logger)
            let hub = EventHub(redis: RedisClient(configuration: TestEnvironment.redisConfiguration()), database: database, revocations: revocations,
                               maximumPerUser: 3, maximumSockets: 5, logger: TestEnvironment.logger)
            let (ada, bob, cy) = (UUID(), UUID(), UUID())
            let organization = UUID()
            let opened = (0..<3).compactMap { _ in hub.open(organizationID: organization, userID: ada, sessionID: nil) }
            #expect(opened.count == 3)
            #expect(hub.hasRoom(for: ada) == false)
            #expect(hub.open(organizationID: organization, userID: ada, sessionID: nil) == nil)
            #expect(hub.open(organizationID: organization, userID: bob, sessionID: nil) != nil)
            #expect(hub.open(organizationID: organization, userID: bob, sessionID: nil) != nil)
            #expect(hub.open(organizationID: organization, userID: cy, sessionID: nil) == nil, "the process holds its five")
            hub.closeListener(opened[0].id)
            #expect(hub.open(organizationID: organization, userID: cy, sessionID: nil) != nil)
            #expect(hub.socketCount == 5)
        }
    }
}

@Suite("API: the event stream opened by the web app's pages")
struct EventStreamCookieTests {
    private func upgrade(origin: String?, authority: String = "127.0.0.1:8080", cookie: String? = "arkyra_tz=UTC; arkyra_access=eyJ.a.b") -> HTTPRequest {
        var request = HTTPRequest(method: .get, scheme: nil, authority: authority, path: "/api/v1/organizations/x/events")
        if let origin { request.headerFields[.origin] = origin }
        if let cookie { request.headerFields[.cookie] = cookie }
        return request
    }

    @Test("the session cookie opens the stream only for a page of this site (its Host, or the public URL behind a proxy)")
    func cookieNeedsThisOrigin() {
        #expect(EventStream.pageCookie(upgrade(origin: "http://127.0.0.1:8080"), publicURL: nil) == "eyJ.a.b")
        #expect(EventStream.pageCookie(upgrade(origin: "https://arkyra.example.com", authority: "api:8080"), publicURL: "https://arkyra.example.com") == "eyJ.a.b")
        #expect(EventStream.pageCookie(upgrade(origin: "https://evil.example"), publicURL: "https://arkyra.example.com") == nil)
        #expect(EventStream.pageCookie(upgrade(origin: "http://127.0.0.1:9999"), publicURL: nil) == nil)
        #expect(EventStream.pageCookie(upgrade(origin: nil), publicURL: nil) == nil, "a client that is not a browser sends its token instead")
        #expect(EventStream.pageCookie(upgrade(origin: "http://127.0.0.1:8080", cookie: "arkyra_access="), publicURL: nil) == nil)
        #expect(EventStream.pageCookie(upgrade(origin: "null"), publicURL: nil) == nil)
    }
}

@Suite("API: notifications seen and unseen, per person")
struct NotificationReadTests {
    @Test("each member has their own unread count; marking seen counts only what exists, for the caller only")
    func unreadPerPerson() async throws {
        try await APITestHarness.run { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let organizationID = try #require(UUID(uuidString: organization))
            let viewer = try await api.member("viewer", of: organization, invitedBy: owner)
            func add(_ message: String) async throws {
                try await TestEnvironment.withClient(api.database) { database in
                    try await database.inTransaction(logger: TestEnvironment.logger) { connection in
                        try await NotificationRepository(logger: TestEnvironment.logger).create(
                            organizationID: organizationID, postID: nil, kind: "post.failed", message: message, on: connection
                        )
                    }
                }
            }
            func listing(_ token: String) async throws -> (unread: Int?, read: [Bool]) {
                let response = try await api.request(.get, "/api/v1/organizations/\(organization)/notifications", token: token)
                #expect(response.status == .ok)
                let items = response.json["notifications"] as? [[String: Any]] ?? []
                return (response.json["unread"] as? Int, items.map { $0["read_at"] != nil && !($0["read_at"] is NSNull) })
            }
            try await add("first")
            try await add("second")
            #expect(try await listing(owner).unread == 2)
            #expect(try await api.request(.post, "/api/v1/organizations/\(organization)/notifications/seen", token: owner).status == .noContent)
            let seen = try await listing(owner)
            #expect(seen.unread == 0)
            #expect(seen.read == [true, true])
            #expect(try await listing(viewer.token).unread == 2, "the viewer has seen nothing yet")
            try await add("third")
            #expect(try await listing(owner).unread == 1)
            #expect(try await listing(owner).read == [false, true, true])
            let none = try await api.request(.get, "/api/v1/organizations/\(organization)/notifications?limit=0", token: owner)
            #expect((none.json["notifications"] as? [Any])?.isEmpty == true)
            #expect(none.json["unread"] as? Int == 1)
            #expect(try await api.request(.get, "/api/v1/organizations/\(organization)/notifications?limit=500", token: owner).status == .unprocessableContent)
            let stranger = try await api.signUp()
            #expect(try await api.request(.post, "/api/v1/organizations/\(organization)/notifications/seen", token: stranger).status == .notFound)

            // The web app's page lists them, marks them seen, and the header counts none afterwards.
            let browser = WebBrowser(api.client)
            browser.setCookie("arkyra_access", viewer.token)
            let calendar = try await browser.get("/app/\(organization)/calendar")
            #expect(calendar.html.contains("data-unread >3</span>"))
            let page = try await browser.get("/app/\(organization)/notifications")
            #expect(page.status == .ok)
            #expect(page.html.components(separatedBy: "class=\"notification is-new\"").count - 1 == 3)
            #expect(page.html.contains("Failed"))
            #expect(try await listing(viewer.token).unread == 0)
            #expect(try await browser.get("/app/\(organization)/calendar").html.contains("data-unread hidden>0</span>"))
        }
    }
}
