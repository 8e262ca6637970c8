import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite("Web: the account, team, API key and audit pages, as a browser uses them")
struct WebSettingsTests {
    @Test("account: the sessions are listed and another one is ended; the password changes with field errors; the export downloads; deletion asks for the password")
    func account() async throws {
        try await APITestHarness.run { api in
            let browser = WebBrowser(api.client)
            let email = "ada-\(UUID().uuidString.prefix(6))@example.com"
            let organization = try await browser.signUp(email: email)
            let other = try await api.request(.post, "/api/v1/auth/login", json: ["email": email, "password": "correct horse"])
            let otherToken = try #require(other.json["access_token"] as? String)

            let page = try await browser.get("/app/account")
            #expect(page.status == .ok)
            #expect(try await browser.get("/app/\(organization)/calendar").html.contains("href=\"/app/account\""))
            let ends = page.html.matches(of: /action="\/app\/account\/sessions\/([0-9a-f-]{36})\/end"/).map { String($0.output.1) }
            #expect(ends.count == 1, "every session but this browser's can be ended")
            #expect(page.html.contains("This browser"))
            let ended = try await browser.post("/app/account/sessions/\(ends[0])/end", [])
            #expect(ended.location == "/app/account?done=session_ended")
            #expect(try await browser.get("/app/account?done=session_ended").html.contains("The session is ended."))
            #expect(try await api.request(.get, "/api/v1/organizations", token: otherToken).errorCode == "session_revoked")
            // A link cannot put its own words on the page.
            #expect(!(try await browser.get("/app/account?done=%3Cb%3Ehi").html.contains("hi</b>")))

            let wrong = try await browser.post("/app/account/password", [("current_password", "not it"), ("new_password", "battery staple")])
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.html.contains("id=\"current-password-error\">is wrong"))
            let short = try await browser.post("/app/account/password", [("current_password", "correct horse"), ("new_password", "short")])
            #expect(short.html.contains("id=\"new-password-error\""))
            let changed = try await browser.post("/app/account/password", [("current_password", "correct horse"), ("new_password", "battery staple")])
            #expect(changed.location == "/app/account?done=password_changed")
            #expect(try await browser.get("/app/account").status == .ok, "this browser stays logged in")

            let export = try await browser.get("/app/account/export")
            #expect(export.headers[.contentDisposition]?.contains("attachment") == true)
            #expect(export.html.contains(email))

            let refused = try await browser.post("/app/account/delete", [("password", "correct horse")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains("id=\"delete-password-error\">is wrong"))
            let deleted = try await browser.post("/app/account/delete", [("password", "battery staple")])
            #expect(deleted.location == "/login?done=account_deleted")
            #expect(browser.cookies["arkyra_access"] == nil)
            #expect(try await browser.get("/login?done=account_deleted").html.contains("Your account is deleted."))
            #expect(try await api.request(.post, "/api/v1/auth/login", json: ["email": email, "password": "battery staple"]).status == .unauthorized)
        }
    }

    @Test("team: an invitation by link is shown once and joins; roles change and members are removed by those who outrank them; an editor sees neither keys nor the audit log")
    func team() async throws {
        try await APITestHarness.run { api in
            let owner = WebBrowser(api.client)
            let organization = try await owner.signUp()
            let team = try await owner.get("/app/\(organization)/team")
            #expect(team.status == .ok)
            #expect(team.html.contains("No invitation is waiting."))

            let bad = try await owner.post("/app/\(organization)/team/invitations", [("email", "not an email"), ("role", "admin")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.html.contains("id=\"invite-email-error\""))
            #expect(bad.html.contains("value=\"not an email\""))
            #expect(bad.html.contains("<option value=\"admin\" selected>"))

            let byLink = try await owner.post("/app/\(organization)/team/invitations", [("email", ""), ("role", "admin")])
            #expect(byLink.status == .ok)
            let link = try #require(byLink.html.firstMatch(of: /value="[^"]*(\/app\/invitations\/accept\?token=inv_[A-Za-z0-9_-]+)"/)).output.1
            #expect(byLink.html.contains("By link"))
            #expect(!(try await owner.get("/app/\(organization)/team").html.contains(String(link))), "the link is shown once")

            let grace = WebBrowser(api.client)
            _ = try await grace.signUp(name: "Grace")
            _ = try await grace.get(String(link))
            let joined = try await grace.post("/app/invitations/accept", [("token", String(link.split(separator: "=")[1]))])
            #expect(joined.location == "/app/\(organization)/calendar")

            let withGrace = try await owner.get("/app/\(organization)/team")
            let graceID = try #require(withGrace.html.firstMatch(of: /action="\/app\/[0-9a-f-]{36}\/team\/members\/([0-9a-f-]{36})\/role"/)).output.1
            let changed = try await owner.post("/app/\(organization)/team/members/\(graceID)/role", [("role", "editor")])
            #expect(changed.location == "/app/\(organization)/team?done=role_changed")
            let owned = try await owner.post("/app/\(organization)/team/members/\(graceID)/role", [("role", "owner")])
            #expect(owned.status == .unprocessableContent)
            #expect(owned.html.contains("Role: must be one of"))

            // The editor: the team without its controls, and no way to the keys or the audit log.
            let asEditor = try await grace.get("/app/\(organization)/team")
            #expect(asEditor.status == .ok)
            #expect(!asEditor.html.contains("/team/invitations\""))
            #expect(asEditor.html.contains("Leave this organization"))
            #expect(!asEditor.html.contains("/api-keys\""))
            #expect(try await grace.get("/app/\(organization)/api-keys").status == .forbidden)
            #expect(try await grace.get("/app/\(organization)/audit").status == .forbidden)
            #expect(try await grace.post("/app/\(organization)/team/invitations", [("email", ""), ("role", "viewer")]).status == .forbidden)

            let removed = try await owner.post("/app/\(organization)/team/members/\(graceID)/remove", [])
            #expect(removed.location == "/app/\(organization)/team?done=member_removed")
            #expect(try await grace.get("/app/\(organization)/calendar").status == .notFound)
            #expect(!(try await owner.get("/app/\(organization)/team").html.contains("/remove\"")), "alone, the owner can neither remove nor leave")
        }
    }

    @Test("API keys: created with its secret shown once, usable on the public API, revoked from the page; the audit log lists it and filters by action")
    func keysAndAudit() async throws {
        try await APITestHarness.run { api in
            let owner = WebBrowser(api.client)
            let organization = try await owner.signUp()
            let empty = try await owner.get("/app/\(organization)/api-keys")
            #expect(empty.status == .ok)
            #expect(empty.html.contains("No key yet."))
            let unnamed = try await owner.post("/app/\(organization)/api-keys", [("name", "  ")])
            #expect(unnamed.status == .unprocessableContent)
            #expect(unnamed.html.contains("id=\"key-name-error\""))

            let created = try await owner.post("/app/\(organization)/api-keys", [("name", "n8n")])
            #expect(created.status == .created)
            let secret = String(try #require(created.html.firstMatch(of: /id="new-key" class="secret" readonly value="(ark_[^"]+)"/)).output.1)
            var headers = HTTPFields()
            headers[.authorization] = secret
            #expect(try await api.request(.get, "/public/v1/integrations", headers: headers).status == .ok)
            let listed = try await owner.get("/app/\(organization)/api-keys")
            #expect(!listed.html.contains(secret))
            #expect(listed.html.contains("n8n"))
            let key = try #require(listed.html.firstMatch(of: /action="\/app\/[0-9a-f-]{36}\/api-keys\/([0-9a-f-]{36})\/revoke"/)).output.1
            let revoked = try await owner.post("/app/\(organization)/api-keys/\(key)/revoke", [])
            #expect(revoked.location == "/app/\(organization)/api-keys?done=key_revoked")
            #expect(try await api.request(.get, "/public/v1/integrations", headers: headers).status == .unauthorized)

            let audit = try await owner.get("/app/\(organization)/audit")
            #expect(audit.status == .ok)
            for action in ["api_key.created", "api_key.revoked", "organization.created"] {
                #expect(audit.html.contains("<code>\(action)</code>"), "the log shows \(action)")
            }
            let filtered = try await owner.get("/app/\(organization)/audit?action=api_key.")
            #expect(filtered.html.contains("<code>api_key.revoked</code>"))
            #expect(!filtered.html.contains("<code>organization.created</code>"))
            #expect(try await owner.get("/app/\(organization)/audit?before=abc").status == .unprocessableContent)
        }
    }
}

@Suite("Web: the media library page")
struct WebMediaTests {
    @Test("an upload by the page's form lands in the library; its alt text is kept; a forged form is refused; a viewer only looks; a file in use is not deleted")
    func library() async throws {
        try await APITestHarness.run { api in
            let owner = WebBrowser(api.client)
            let organization = try await owner.signUp()
            let empty = try await owner.get("/app/\(organization)/media")
            #expect(empty.status == .ok)
            #expect(empty.html.contains("enctype=\"multipart/form-data\""))
            #expect(empty.html.contains("No file yet."))

            let forged = TestMedia.form(TestMedia.png(), fields: ["_csrf": "f_forged", "name": "forged"])
            #expect(try await owner.post("/app/\(organization)/media", multipart: forged.body, contentType: forged.contentType).status == .forbidden)
            _ = try await owner.get("/app/\(organization)/media")
            let form = TestMedia.form(TestMedia.png(), fields: ["_csrf": try #require(owner.csrf), "name": "Launch banner"])
            let uploaded = try await owner.post("/app/\(organization)/media", multipart: form.body, contentType: form.contentType)
            #expect(uploaded.location == "/app/\(organization)/media?done=media_uploaded")
            let listed = try await owner.get(try #require(uploaded.location))
            #expect(listed.html.contains("The file is uploaded."))
            #expect(listed.html.contains("Launch banner"))
            let id = String(try #require(listed.html.firstMatch(of: /data-media="([0-9a-f-]{36})"/)).output.1)
            let text = TestMedia.form(Data("not an image".utf8), filename: "notes.txt", contentType: "text/plain", fields: ["_csrf": try #require(owner.csrf)])
            let refused = try await owner.post("/app/\(organization)/media", multipart: text.body, contentType: text.contentType)
            #expect(refused.status == .unsupportedMediaType)
            #expect(refused.html.contains("role=\"alert\""))

            let tooLong = try await owner.post("/app/\(organization)/media/\(id)", [("name", "Launch banner"), ("alt", String(repeating: "a", count: 1501))])
            #expect(tooLong.status == .unprocessableContent)
            #expect(tooLong.html.contains("alt: must be at most 1500 characters"))
            let saved = try await owner.post("/app/\(organization)/media/\(id)", [("name", "Banner"), ("alt", "A rocket on a blue sky")])
            #expect(saved.location == "/app/\(organization)/media?done=media_saved")
            let afterSave = try await owner.get("/app/\(organization)/media")
            #expect(afterSave.html.contains("alt=\"A rocket on a blue sky\""))
            let api1 = try await api.request(.get, "/api/v1/organizations/\(organization)/media/\(id)", token: try #require(owner.cookies["arkyra_access"]))
            #expect(api1.json["alt"] as? String == "A rocket on a blue sky")

            // A viewer sees the library without its forms.
            let token = try #require(owner.cookies["arkyra_access"])
            let viewer = try await api.member("viewer", of: organization, invitedBy: token)
            let looking = WebBrowser(api.client)
            looking.setCookie("arkyra_access", viewer.token)
            let page = try await looking.get("/app/\(organization)/media")
            #expect(page.status == .ok)
            #expect(page.html.contains("Banner"))
            #expect(!page.html.contains("enctype=\"multipart/form-data\""))
            #expect(try await looking.post("/app/\(organization)/media/\(id)/delete", []).status == .forbidden)

            // The composer offers the library; the post it makes carries the file, which then stays.
            let channel = try await api.connectMastodon(token, organization: organization)
            let composer = try await owner.get("/app/\(organization)/compose")
            #expect(composer.html.contains("name=\"media\" value=\"\(id)\""))
            let composed = try await owner.post("/app/\(organization)/compose", [
                ("channel", channel), ("content", "With a banner"), ("media", id), ("publish_at", "2099-01-01T09:00"), ("mode", "draft"),
            ])
            #expect(composed.status == .seeOther)
            let drafts = try await api.request(.get, "/api/v1/organizations/\(organization)/posts?from=2098-12-31T00:00:00Z&to=2099-01-02T00:00:00Z", token: token)
            let carried = (drafts.json["posts"] as? [[String: Any]])?.first?["media_ids"] as? [String]
            #expect(carried?.map { $0.lowercased() } == [id])
            _ = try await owner.get("/app/\(organization)/media")
            let inUse = try await owner.post("/app/\(organization)/media/\(id)/delete", [])
            #expect(inUse.status == .conflict)
            #expect(inUse.html.contains("role=\"alert\""))
        }
    }
}

@Suite("Web: the analytics dashboard")
struct WebAnalyticsTests {
    @Test("posts published and failed per day as an SVG chart and a table, the platforms' counts summed, the best posts first; by channel and period")
    func dashboard() async throws {
        try await APITestHarness.run { api in
            let browser = WebBrowser(api.client)
            let organization = try await browser.signUp()
            let token = try #require(browser.cookies["arkyra_access"])
            let channel = try await api.connectMastodon(token, organization: organization)
            let empty = try await browser.get("/app/\(organization)/analytics")
            #expect(empty.status == .ok)
            #expect(empty.html.contains("No published post with counts in this period."))
            #expect(empty.html.contains("<svg class=\"chart\""))

            // Three posts: two published yesterday (with counts), one failed today; one published 40 days ago.
            var ids: [String] = []
            for text in ["Launch day", "Second thoughts", "Did not go", "Long ago"] {
                let created = try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: token, json: [
                    "publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": text]],
                ])
                ids.append(try #require(((created.json["posts"] as? [[String: Any]])?.first)?["id"] as? String))
            }
            try await TestEnvironment.withClient(api.database) { database in
                let day: TimeInterval = 86_400
                for (index, (state, ago)) in [("published", day), ("published", day), ("failed", 0), ("published", 40 * day)].enumerated() {
                    let at = Date().addingTimeInterval(-ago - 60)
                    let id = UUID(uuidString: ids[index])!
                    try await database.query("UPDATE posts SET state = \(state), publish_at = \(at), published_at = CASE WHEN \(state) = 'published' THEN \(at) END WHERE id = \(id)")
                }
                let organizationID = UUID(uuidString: organization)!
                for (index, counts) in [(0, #"{"likes": 12, "replies": 3}"#), (1, #"{"likes": 2, "reposts": 1}"#), (3, #"{"likes": 500}"#)] {
                    try await database.query("INSERT INTO post_metrics (post_id, organization_id, counts, fetched_at) VALUES (\(UUID(uuidString: ids[index])!), \(organizationID), \(counts)::jsonb, now())")
                }
            }
            let page = try await browser.get("/app/\(organization)/analytics?days=7")
            #expect(page.status == .ok)
            #expect(page.html.contains("<strong>2</strong> published"))
            #expect(page.html.contains("<strong>1</strong> failed or unconfirmed"))
            #expect(page.html.contains("<strong>14</strong> likes"), "the post of 40 days ago is outside the period")
            #expect(page.html.contains("<strong>3</strong> replies"))
            #expect(page.html.components(separatedBy: "<rect class=\"bar-published\"").count - 1 == 7, "one bar a day")
            #expect(page.html.components(separatedBy: "<rect class=\"bar-failed\"").count - 1 == 1)
            #expect(page.html.firstMatch(of: /=""[0-9]/) == nil, "every SVG attribute is quoted once")
            #expect(page.html.contains("<line class=\"axis\" x1=\"28\" y1=\"172.0\""))
            let best = try #require(page.html.range(of: "Launch day")), second = try #require(page.html.range(of: "Second thoughts"))
            #expect(best.lowerBound < second.lowerBound, "the post with the most counts comes first")
            #expect(!page.html.contains("Long ago"))
            // Each best post has its counts drawn, on a scale shared by the posts shown (12 likes is the longest bar).
            #expect(page.html.components(separatedBy: "<svg class=\"counts-chart\"").count - 1 == 2)
            #expect(page.html.contains("<title>likes: 12</title>"))
            #expect(page.html.contains("<rect class=\"bar-likes\" x=\"110.0\" y=\"4.0\" width=\"190.0\""))
            #expect(page.html.contains("<rect class=\"bar-likes\" x=\"110.0\" y=\"4.0\" width=\"31.7\""), "2 likes against 12")

            let quarter = try await browser.get("/app/\(organization)/analytics?days=90")
            #expect(quarter.html.contains("<strong>514</strong> likes"))
            #expect(quarter.html.contains("<strong>3</strong> published"))
            let elsewhere = try await browser.get("/app/\(organization)/analytics?days=90&channel=\(UUID().uuidString)")
            #expect(elsewhere.html.contains("<strong>514</strong> likes"), "a channel not of this organization is no filter")
            // In Arabic the days run from the right: the chart's first bar (the oldest day) is drawn rightmost.
            let arabic = WebBrowser(api.client, language: "ar")
            for (name, value) in browser.cookies { arabic.setCookie(name, value) }
            let rtl = try await arabic.get("/app/\(organization)/analytics?days=7").html
            #expect(rtl.contains("dir=\"rtl\""))
            let xs = page.html.matches(of: /class="bar-published" x="([0-9.]+)"/).compactMap { Double($0.output.1) }
            let rtlXs = rtl.matches(of: /class="bar-published" x="([0-9.]+)"/).compactMap { Double($0.output.1) }
            #expect(xs == xs.sorted() && rtlXs == rtlXs.sorted(by: >) && xs.count == 7)
            #expect(rtl.contains("<rect class=\"bar-likes\" x=\"60.0\" y=\"4.0\" width=\"190.0\""), "a post's bars grow from the right")
        }
    }
}

@Suite("Web: the shared preview page")
struct WebPreviewTests {
    @Test("a browser opening a preview link sees the posts and comments as a page and comments by its form; scripts still get JSON; a revoked link says so")
    func sharedPreview() async throws {
        try await APITestHarness.run { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let channel = try await api.connectMastodon(owner, organization: organization)
            let created = try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: owner, json: [
                "publish_at": APITestHarness.future(), "variants": [["integration_id": channel, "content": "Our <launch> post", "thread": [["content": "and its reply"]]]],
            ])
            let post = try #require(((created.json["posts"] as? [[String: Any]])?.first)?["id"] as? String)
            let link = try await api.request(.post, "/api/v1/organizations/\(organization)/posts/\(post)/preview-links", token: owner, json: [:])
            let url = try #require(link.json["url"] as? String)

            let guest = WebBrowser(api.client)
            let html: HTTPFields = [.accept: "text/html"]
            let page = try await guest.get(url, headers: html)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.html.contains("Our &lt;launch&gt; post"))
            #expect(page.html.contains("class=\"preview-post is-reply\""))
            #expect(page.html.contains("No comment yet."))

            let nameless = try await guest.post("\(url)/comments", [("name", " "), ("body", "Looks good")])
            #expect(nameless.status == .unprocessableContent)
            #expect(nameless.html.contains("id=\"comment-name-error\""))
            #expect(nameless.html.contains("Looks good"), "what was typed is kept")
            let sent = try await guest.post("\(url)/comments", [("name", "Grace from the client"), ("body", "Looks good")])
            #expect(sent.location == "\(url)?done=comment_sent")
            let after = try await guest.get(try #require(sent.location), headers: html)
            #expect(after.html.contains("Grace from the client"))
            #expect(after.html.contains("your comment is sent to the team"))
            #expect(try await guest.post("\(url)/comments", [("name", "x"), ("body", "y"), ("_csrf", "f_forged")]).status == .forbidden)

            // The API is unchanged for scripts, and the team sees the guest's comment.
            let json = try await api.request(.get, url)
            #expect((json.json["comments"] as? [[String: Any]])?.first?["author_name"] as? String == "Grace from the client")
            let linkID = try #require((link.json["preview_link"] as? [String: Any])?["id"] as? String)
            #expect(try await api.request(.delete, "/api/v1/organizations/\(organization)/posts/\(post)/preview-links/\(linkID)", token: owner).status == .noContent)
            let revoked = try await guest.get(url, headers: html)
            #expect(revoked.status == .notFound)
            #expect(revoked.html.contains("<html") && revoked.html.contains("this preview link does not exist, was revoked or has expired"))
        }
    }
}

@Suite("Web: the organization's settings page")
struct WebOrganizationSettingsTests {
    @Test("an admin renames; only the owner exports, transfers ownership and deletes, with the name typed to confirm")
    func settings() async throws {
        try await APITestHarness.run { api in
            let owner = WebBrowser(api.client)
            let organization = try await owner.signUp()
            let token = try #require(owner.cookies["arkyra_access"])
            let page = try await owner.get("/app/\(organization)/settings")
            #expect(page.status == .ok)
            #expect(page.html.contains("Invite someone first"))
            let blank = try await owner.post("/app/\(organization)/settings/name", [("name", " ")])
            #expect(blank.status == .unprocessableContent)
            #expect(blank.html.contains("id=\"organization-name-error\""))
            #expect(try await owner.post("/app/\(organization)/settings/name", [("name", "Acme Rockets")]).location == "/app/\(organization)/settings?done=organization_renamed")
            #expect(try await owner.get("/app/\(organization)/calendar").html.contains("Acme Rockets"))
            let export = try await owner.get("/app/\(organization)/settings/export")
            #expect(export.headers[.contentDisposition]?.contains("attachment") == true)
            #expect(export.html.contains("Acme Rockets"))

            let admin = try await api.member("admin", of: organization, invitedBy: token)
            let asAdmin = WebBrowser(api.client)
            asAdmin.setCookie("arkyra_access", admin.token)
            let adminPage = try await asAdmin.get("/app/\(organization)/settings")
            #expect(adminPage.status == .ok)
            #expect(!adminPage.html.contains("settings/delete"), "only the owner deletes")
            #expect(try await asAdmin.get("/app/\(organization)/settings/export").status == .forbidden)

            _ = try await owner.get("/app/\(organization)/settings")
            let wrongName = try await owner.post("/app/\(organization)/settings/delete", [("name", "Acme")])
            #expect(wrongName.status == .unprocessableContent)
            #expect(wrongName.html.contains("id=\"confirm-name-error\""))
            let transferred = try await owner.post("/app/\(organization)/settings/transfer", [("user_id", admin.id)])
            #expect(transferred.location == "/app/\(organization)/team?done=ownership_transferred")
            #expect(try await owner.get("/app/\(organization)/settings/export").status == .forbidden, "the former owner is an admin now")
            _ = try await asAdmin.get("/app/\(organization)/settings")
            let deleted = try await asAdmin.post("/app/\(organization)/settings/delete", [("name", "Acme Rockets")])
            #expect(deleted.location == "/app")
            #expect(try await owner.get("/app/\(organization)/calendar").status == .notFound)
        }
    }

    @Test("the header's switcher lists 20 organizations and links to all of them; an organization past the first 20 opens; another one is created from the list")
    func manyOrganizations() async throws {
        try await APITestHarness.run { api in
            let browser = WebBrowser(api.client)
            let first = try await browser.signUp()
            let token = try #require(browser.cookies["arkyra_access"])
            var last = ""
            for index in 2...22 { last = try await api.createOrganization(token, name: "Org \(index)") }
            let page = try await browser.get("/app/\(first)/calendar")
            let switcher = try #require(page.html.firstMatch(of: /<details class="switcher">(?s)(.*?)<\/details>/)).output.1
            #expect(switcher.matches(of: /\/calendar"/).count == 20)
            #expect(switcher.contains("href=\"/app/organizations\">All your organizations…"))
            let past = try await browser.get("/app/\(last.lowercased())/calendar")
            #expect(past.status == .ok, "an organization the switcher does not list still opens")
            #expect(past.html.contains("Organization: Org 22"))
            let all = try await browser.get("/app/organizations")
            #expect(all.html.contains("Your organizations"))
            #expect(all.html.matches(of: /<li><a href="\/app\/[0-9a-f-]{36}\/calendar">/).count == 22)
            let blank = try await browser.post("/app/organizations", [("name", " ")])
            #expect(blank.status == .unprocessableContent)
            #expect(blank.html.contains("Your organizations"), "the list stays beside the error")
            let created = try await browser.post("/app/organizations", [("name", "Org 23")])
            #expect(created.status == .seeOther)
            #expect(try await api.request(.get, "/api/v1/organizations", token: token).json.description.contains("Org 23"))
        }
    }
}
