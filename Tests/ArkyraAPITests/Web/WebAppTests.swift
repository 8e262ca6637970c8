import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite("Web: the pages, as a browser uses them (cookies, forms, CSRF), against a live API and sandbox")
struct WebAppTests {
    @Test("sign up, create an organization, see the week; log out and the pages ask to log in again")
    func signUpAndLogIn() async throws {
        try await APITestHarness.run { api in
            let browser = WebBrowser(api.client)
            #expect(try await browser.get("/app").location == "/login?next=/app")
            #expect(try await api.request(.get, "/", headers: [.accept: "text/html"]).headers[.location] == "/app")
            #expect(try await api.request(.get, "/").json["api"] as? String == "/api/v1")

            let organization = try await browser.signUp()
            let week = try await browser.get("/app/\(organization)/calendar")
            #expect(week.status == .ok)
            #expect(week.html.contains("<html lang=\"en\" dir=\"ltr\">"))
            #expect(week.html.components(separatedBy: "<li class=\"day").count - 1 == 7)
            #expect(week.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("script-src 'self'") == true)
            #expect(week.headers[.cacheControl] == "no-store")

            let email = try #require(week.html.firstMatch(of: /class="who"[^>]*>([^<]+)</)).output.1
            #expect(email == "Ada")
            let loggedOut = try await browser.post("/logout", [])
            #expect(loggedOut.location == "/login")
            #expect(browser.cookies["arkyra_access"] == nil)
            #expect(try await browser.get("/app/\(organization)/calendar").location == "/login?next=/app/\(organization)/calendar")
        }
    }

    @Test("a wrong password keeps the email and says why; a form without its token is refused as a page")
    func loginErrors() async throws {
        try await APITestHarness.run { api in
            _ = try await api.signUp("grace@example.com")
            let browser = WebBrowser(api.client)
            _ = try await browser.get("/login?next=/app/somewhere")
            let wrong = try await browser.post("/login", [("email", "grace@example.com"), ("password", "not it at all"), ("next", "/app/somewhere")])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.html.contains("value=\"grace@example.com\""))
            #expect(wrong.html.contains("the email or password is wrong"))
            #expect(!wrong.html.contains("not it at all"))

            let forged = try await browser.post("/login", [("email", "grace@example.com"), ("password", "correct horse"), ("_csrf", "f_forged")])
            #expect(forged.status == .forbidden)
            #expect(forged.html.contains("role=\"alert\""))
            #expect(browser.cookies["arkyra_access"] == nil)

            // Another site's link cannot send the person elsewhere after logging in.
            let right = try await browser.post("/login", [("email", "grace@example.com"), ("password", "correct horse"), ("next", "//evil.example/app")])
            #expect(right.status == .seeOther)
            #expect(right.location == "/app")
        }
    }

    @Test("compose: field errors beside the fields with the text kept; a scheduled thread shows on its day and moves through the API only with the CSRF token")
    func composeAndMove() async throws {
        try await APITestHarness.run { api in
            let browser = WebBrowser(api.client)
            let organization = try await browser.signUp()
            _ = try await browser.get("/app/\(organization)/channels")
            let connected = try await browser.post("/app/\(organization)/channels/connect", [
                ("provider", "mastodon"), ("instance_url", api.instanceURL), ("access_token", "good"),
            ])
            #expect(connected.status == .seeOther)
            let channelsPage = try await browser.get(try #require(connected.location))
            #expect(channelsPage.html.contains("is connected."))
            let channel = try #require(channelsPage.html.firstMatch(of: /action="\/app\/[0-9a-f-]{36}\/channels\/([0-9a-f-]{36})\/state"/)).output.1.description

            _ = try await browser.get("/app/\(organization)/compose")
            // The composer's counter: the API measures as scheduling judges (Mastodon counts a URL as 23).
            let measured = try await browser.api(.post, "/api/v1/organizations/\(organization)/posts/check",
                                                 json: "{\"content\":\"see https://example.com/a/very/long/path/indeed 👋\",\"integration_ids\":[\"\(channel)\"]}")
            #expect(measured.status == .ok)
            #expect(measured.html.contains("\"characters\":29"))
            #expect(measured.html.contains("\"maximum\":500"))
            #expect(!measured.html.contains("\"problem\""))
            let long = try await browser.api(.post, "/api/v1/organizations/\(organization)/posts/check",
                                             json: "{\"content\":\"\(String(repeating: "a", count: 501))\",\"integration_ids\":[\"\(channel)\"]}")
            #expect(long.html.contains("\"problem\":\"is 501 characters; mastodon takes at most 500"))
            let foreign = try await browser.api(.post, "/api/v1/organizations/\(organization)/posts/check",
                                                json: "{\"content\":\"x\",\"integration_ids\":[\"\(UUID().uuidString)\"]}")
            #expect(foreign.status == .unprocessableContent)
            let refused = try await browser.post("/app/\(organization)/compose", [
                ("content", "Kept as typed ✍️"), ("publish_at", "2020-01-01T09:00"), ("mode", "schedule"),
            ])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains("Kept as typed ✍️"))
            #expect(refused.html.contains("id=\"channels-error\">must name at least one channel"))
            #expect(refused.html.contains("value=\"2020-01-01T09:00\" aria-invalid=\"true\""))

            let day = Calendar(identifier: .gregorian).date(byAdding: .day, value: 3, to: Date())!
            let dayText = ISO8601Timestamp.format(day).prefix(10)
            let saved = try await browser.post("/app/\(organization)/compose", [
                ("channel", channel), ("content", "Hello from the composer"), ("thread", "and a second item"), ("thread", ""),
                ("publish_at", "\(dayText)T09:30"), ("mode", "schedule"),
            ])
            #expect(saved.status == .seeOther)
            #expect(saved.location == "/app/\(organization)/calendar?date=\(dayText)&saved=1")
            let calendar = try await browser.get(try #require(saved.location))
            #expect(calendar.html.contains("Your post is saved."))
            let post = try #require(calendar.html.firstMatch(of: /data-post="([0-9a-f-]{36})" data-time="09:30" draggable="true"/)).output.1.description
            #expect(calendar.html.contains("Hello from the composer"))
            // The thread's second item is not a card of its own.
            #expect(calendar.html.components(separatedBy: "class=\"post ").count - 1 == 1)

            let later = ISO8601Timestamp.format(day.addingTimeInterval(86_400))
            let noToken = try await browser.api(.patch, "/api/v1/organizations/\(organization)/posts/\(post)", json: "{\"publish_at\":\"\(later)\"}", csrf: false)
            #expect(noToken.status == .forbidden)
            #expect(noToken.html.contains("csrf_failed"))
            let moved = try await browser.api(.patch, "/api/v1/organizations/\(organization)/posts/\(post)", json: "{\"publish_at\":\"\(later)\"}")
            #expect(moved.status == .ok)
            let next = try await browser.get("/app/\(organization)/calendar?view=day&date=\(later.prefix(10))")
            #expect(next.html.contains("data-post=\"\(post)\""))
        }
    }

    @Test("a viewer sees the calendar but may not compose or connect, through the pages as through the API")
    func rolesApplyToPages() async throws {
        try await APITestHarness.run { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let viewer = try await api.member("viewer", of: organization, invitedBy: owner)
            let browser = WebBrowser(api.client)
            browser.setCookie("arkyra_access", viewer.token)
            #expect(try await browser.get("/app/\(organization)/calendar").status == .ok)
            #expect(try await browser.get("/app/\(organization)/compose").status == .forbidden)
            _ = try await browser.get("/app/\(organization)/calendar")
            let composed = try await browser.post("/app/\(organization)/compose", [("content", "not mine to post"), ("publish_at", "2030-01-01T09:00")])
            #expect(composed.status == .forbidden)
            _ = try await browser.get("/app/\(organization)/calendar")
            #expect(try await browser.post("/app/\(organization)/channels/connect", [("provider", "x")]).status == .forbidden)
            #expect(try await api.posts(owner, organization: organization).isEmpty)
        }
    }

    @Test("connecting through the consent page comes back to the channels page: a refusal in words, a consent as a channel")
    func oauthFromTheChannelsPage() async throws {
        try await APITestHarness.run { api in
            let browser = WebBrowser(api.client, language: "fr")
            let organization = try await browser.signUp()
            let page = try await browser.get("/app/\(organization)/channels")
            #expect(page.html.contains("<html lang=\"fr\" dir=\"ltr\">"))
            #expect(page.html.contains("value=\"x\""))

            for allow in [false, true] {
                let started = try await browser.post("/app/\(organization)/channels/connect", [("provider", "x")])
                #expect(started.status == .seeOther)
                let back = try await SandboxConsent.answer(try #require(started.location), allow: allow, on: api.sandbox)
                let callback = try await browser.get(back.path + "?" + (back.percentEncodedQuery ?? ""))
                #expect(callback.status == .seeOther)
                let landing = try await browser.get(try #require(callback.location))
                if allow {
                    #expect(callback.location?.hasPrefix("/app/\(organization)/channels?connected=") == true)
                    #expect(landing.html.contains("est connecté."))
                } else {
                    #expect(callback.location == "/app/\(organization)/channels?error=consent_denied")
                    #expect(landing.html.contains("Vous n’avez pas autorisé ARKYRA"))
                }
            }
        }
    }

    @Test("Arabic pages are right to left; an expired access cookie is refreshed by the page; another organization is not found")
    func arabicRefreshAndIsolation() async throws {
        try await APITestHarness.run { api in
            let browser = WebBrowser(api.client, language: "ar-EG,ar;q=0.9")
            let organization = try await browser.signUp()
            let week = try await browser.get("/app/\(organization)/calendar?view=month")
            #expect(week.html.contains("<html lang=\"ar\" dir=\"rtl\">"))
            #expect(week.html.contains("التقويم"))

            let refresh = try #require(browser.cookies["arkyra_refresh"])
            // A browser whose access token no longer verifies, with its refresh token.
            let page = try await api.client.execute(
                uri: "/app/\(organization)/calendar", method: .get,
                headers: [.cookie: "arkyra_access=expired.token.here; arkyra_refresh=\(refresh)"], body: nil
            )
            #expect(page.status == .ok)
            #expect(page.headers[values: .setCookie].contains { $0.hasPrefix("arkyra_refresh=rt_") && !$0.contains(refresh) })

            // Several requests at once with the same refresh token (a page and its scripts) share one
            // refresh: none is refused and the session survives (a second use would have ended it).
            let second = try #require(page.headers[values: .setCookie].first { $0.hasPrefix("arkyra_refresh=") }?.split(separator: ";").first)
            let together = try await withThrowingTaskGroup(of: (HTTPResponse.Status, [String]).self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        let response = try await api.client.execute(uri: "/app/\(organization)/calendar", method: .get,
                                                                    headers: [.cookie: "arkyra_access=expired; \(second)"], body: nil)
                        return (response.status, response.headers[values: .setCookie].filter { $0.hasPrefix("arkyra_refresh=") })
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(together.allSatisfy { $0.0 == .ok })
            #expect(Set(together.flatMap(\.1).map { $0.split(separator: ";")[0] }).count == 1)
            let renewed = try #require(together.first?.1.first?.split(separator: ";").first)
            let after = try await api.client.execute(uri: "/app/\(organization)/calendar", method: .get, headers: [.cookie: "arkyra_access=expired; \(renewed)"], body: nil)
            #expect(after.status == .ok)

            let stranger = WebBrowser(api.client)
            _ = try await stranger.signUp()
            let foreign = try await stranger.get("/app/\(organization)/calendar")
            #expect(foreign.status == .notFound)
        }
    }
}
