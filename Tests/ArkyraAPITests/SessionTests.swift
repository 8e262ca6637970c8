import ArkyraTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("API: sessions, refresh tokens and login throttling")
struct SessionTests {
    /// Registers `email` and logs in once more; returns both logins' JSON.
    private func twoLogins(_ api: APITestHarness, _ email: String) async throws -> ([String: Any], [String: Any]) {
        let first = try await api.request(.post, "/api/v1/auth/register", json: ["email": email, "password": "correct horse"])
        #expect(first.status == .created)
        let second = try await api.request(.post, "/api/v1/auth/login", json: ["email": email, "password": "correct horse"])
        #expect(second.status == .ok)
        return (first.json, second.json)
    }

    @Test("refresh tokens rotate; reusing a used one revokes the whole session, its access tokens included")
    func rotationAndReuse() async throws {
        try await APITestHarness.run { api in
            let (login, _) = try await twoLogins(api, "rotate@example.com")
            let firstRefresh = try #require(login["refresh_token"] as? String)
            let rotated = try await api.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": firstRefresh])
            #expect(rotated.status == .ok)
            let secondRefresh = try #require(rotated.json["refresh_token"] as? String)
            let access = try #require(rotated.json["access_token"] as? String)
            #expect(secondRefresh != firstRefresh)
            #expect(rotated.json["session_id"] as? String == login["session_id"] as? String)
            #expect(try await api.request(.get, "/api/v1/organizations", token: access).status == .ok)

            // The first token again: someone has a copy. The session ends for everyone holding it.
            let reused = try await api.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": firstRefresh])
            #expect(reused.status == .unauthorized)
            #expect(reused.errorCode == "invalid_refresh_token")
            #expect(try await api.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": secondRefresh]).status == .unauthorized)
            let revoked = try await api.request(.get, "/api/v1/organizations", token: access)
            #expect(revoked.status == .unauthorized)
            #expect(revoked.errorCode == "session_revoked")
            #expect(try await api.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": "rt_made-up"]).status == .unauthorized)
        }
    }

    @Test("logging out ends the session; the session list shows and revokes the others")
    func logoutAndSessionList() async throws {
        try await APITestHarness.run { api in
            let (phone, laptop) = try await twoLogins(api, "sessions@example.com")
            let phoneToken = try #require(phone["access_token"] as? String)
            let laptopToken = try #require(laptop["access_token"] as? String)
            let listed = try await api.request(.get, "/api/v1/auth/sessions", token: laptopToken)
            let sessions = try #require(listed.json["sessions"] as? [[String: Any]])
            #expect(sessions.count == 2)
            #expect(sessions.filter { $0["current"] as? Bool == true }.map { $0["id"] as? String } == [laptop["session_id"] as? String])
            let phoneSession = try #require(phone["session_id"] as? String)
            #expect(try await api.request(.delete, "/api/v1/auth/sessions/\(phoneSession)", token: laptopToken).status == .noContent)
            #expect(try await api.request(.get, "/api/v1/organizations", token: phoneToken).errorCode == "session_revoked")
            #expect(try await api.request(.delete, "/api/v1/auth/sessions/\(phoneSession)", token: laptopToken).status == .notFound)
            #expect(try await api.request(.post, "/api/v1/auth/logout", token: laptopToken).status == .noContent)
            #expect(try await api.request(.get, "/api/v1/organizations", token: laptopToken).status == .unauthorized)
            let refresh = try #require(laptop["refresh_token"] as? String)
            #expect(try await api.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": refresh]).status == .unauthorized)
        }
    }

    @Test("changing the password needs the current one and ends the other sessions")
    func changePassword() async throws {
        try await APITestHarness.run { api in
            let (other, current) = try await twoLogins(api, "password@example.com")
            let token = try #require(current["access_token"] as? String)
            let wrong = try await api.request(.post, "/api/v1/auth/password", token: token, json: ["current_password": "nope nope", "new_password": "battery staple"])
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.errorFields == ["current_password": "is wrong"])
            let short = try await api.request(.post, "/api/v1/auth/password", token: token, json: ["current_password": "correct horse", "new_password": "x"])
            #expect(short.errorFields.keys.contains("new_password"))
            let changed = try await api.request(.post, "/api/v1/auth/password", token: token, json: ["current_password": "correct horse", "new_password": "battery staple"])
            #expect(changed.status == .noContent)
            #expect(try await api.request(.get, "/api/v1/organizations", token: token).status == .ok)
            #expect(try await api.request(.get, "/api/v1/organizations", token: try #require(other["access_token"] as? String)).errorCode == "session_revoked")
            #expect(try await api.request(.post, "/api/v1/auth/login", json: ["email": "password@example.com", "password": "correct horse"]).status == .unauthorized)
            #expect(try await api.request(.post, "/api/v1/auth/login", json: ["email": "password@example.com", "password": "battery staple"]).status == .ok)
        }
    }

    @Test("ten failed logins for an account lock it for a while, even for the right password")
    func loginThrottling() async throws {
        try await APITestHarness.run { api in
            _ = try await twoLogins(api, "throttle@example.com")
            for _ in 0..<10 {
                let failed = try await api.request(.post, "/api/v1/auth/login", json: ["email": "throttle@example.com", "password": "guess guess"])
                #expect(failed.status == .unauthorized)
            }
            let locked = try await api.request(.post, "/api/v1/auth/login", json: ["email": "THROTTLE@example.com", "password": "correct horse"])
            #expect(locked.status == .tooManyRequests)
            #expect(locked.errorCode == "too_many_attempts")
            let retryAfter = try #require(locked.headers[.retryAfter].flatMap(Int.init))
            #expect((1...900).contains(retryAfter))
            // Other accounts are not affected.
            let (_, otherLogin) = try await twoLogins(api, "unaffected@example.com")
            #expect(otherLogin["access_token"] != nil)
        }
    }
}
