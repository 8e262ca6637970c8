import ArkyraCore
import ArkyraTestSupport
import Foundation
import Testing

@Suite("Web: the composer — text per channel, duplicate warning, thread delays, tags, signature, repeat rule")
struct WebComposerTests {
    @Test("a channel's own text replaces the main one for that channel only; its platform's rule is judged on it and the error shows beside it, with everything typed kept")
    func textPerChannel() async throws {
        try await APITestHarness.run { api in
            let browser = WebBrowser(api.client)
            let organization = try await browser.signUp()
            let owner = try #require(browser.cookies["arkyra_access"])
            let first = try await api.connectMastodon(owner, organization: organization).lowercased()
            let second = try await api.connectSecondMastodon(owner, organization: organization).lowercased()
            let page = try await browser.get("/app/\(organization)/compose")
            #expect(page.html.contains("name=\"override:\(second)\""))
            #expect(page.html.contains("data-username=\"grace\""))
            let at = String(ISO8601Timestamp.format(Date().addingTimeInterval(2 * 86_400)).prefix(10)) + "T10:00"

            let long = String(repeating: "b", count: 501)
            let refused = try await browser.post("/app/\(organization)/compose", [
                ("channel", first), ("channel", second), ("content", "The main text"), ("override:\(second)", long),
                ("publish_at", at), ("mode", "schedule"),
            ])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains("id=\"override-\(second)-error\"><p class=\"field-error\">is 501 characters; mastodon takes at most 500"))
            #expect(refused.html.contains(">\(long)</textarea>"), "the channel's text is kept")
            #expect(refused.html.contains(">The main text</textarea>"))
            #expect(!refused.html.contains("id=\"content-error\"><p class=\"field-error\">"), "the main text is fine")

            let saved = try await browser.post("/app/\(organization)/compose", [
                ("channel", first), ("channel", second), ("content", "The main text"), ("override:\(second)", "Grace's own words"),
                ("override:\(first)", "   "), ("publish_at", at), ("mode", "schedule"),
            ])
            #expect(saved.status == .seeOther)
            let posts = try await api.posts(owner, organization: organization)
            let byChannel = Dictionary(posts.map { (($0["integration_id"] as? String ?? "").lowercased(), $0["content"] as? String ?? "") }) { a, _ in a }
            #expect(byChannel[first] == "The main text", "a blank text of its own means the main text")
            #expect(byChannel[second] == "Grace's own words")
        }
    }

    @Test("a post repeating what its channel has within 24 hours is saved, and the calendar says so")
    func duplicateWarning() async throws {
        try await APITestHarness.run { api in
            let browser = WebBrowser(api.client)
            let organization = try await browser.signUp()
            let owner = try #require(browser.cookies["arkyra_access"])
            let channel = try await api.connectMastodon(owner, organization: organization).lowercased()
            let day = String(ISO8601Timestamp.format(Date().addingTimeInterval(2 * 86_400)).prefix(10))
            _ = try await browser.get("/app/\(organization)/compose")
            let fields = [("channel", channel), ("content", "Same words twice"), ("publish_at", "\(day)T10:00"), ("mode", "schedule")]
            let once = try await browser.post("/app/\(organization)/compose", fields)
            #expect(once.location == "/app/\(organization)/calendar?date=\(day)&saved=1")
            let twice = try await browser.post("/app/\(organization)/compose", fields.map { $0.0 == "publish_at" ? ($0.0, "\(day)T13:00") : $0 })
            #expect(twice.location == "/app/\(organization)/calendar?date=\(day)&saved=1&duplicates=1")
            let calendar = try await browser.get(try #require(twice.location))
            #expect(calendar.html.contains("Saved, but 1 of these posts repeat a text their channel already has scheduled within 24 hours of them."))
            #expect(try await api.posts(owner, organization: organization).count == 2, "both are kept: the warning does not refuse")
            #expect(!(try await browser.get("/app/\(organization)/calendar?duplicates=%3Cb%3E").html.contains("Saved, but")))
        }
    }

    @Test("thread delays, tags, a signature and a repeat rule go from the form to the post; a bad one is named beside its field with everything kept")
    func threadTagsSignatureRepeat() async throws {
        try await APITestHarness.run { api in
            let browser = WebBrowser(api.client)
            let organization = try await browser.signUp()
            let owner = try #require(browser.cookies["arkyra_access"])
            let channel = try await api.connectMastodon(owner, organization: organization).lowercased()
            let signature = try #require(try await api.request(.post, "/api/v1/organizations/\(organization)/signatures", token: owner,
                                                               json: ["name": "Team", "text": "— the Acme team"]).json["id"] as? String).lowercased()
            let page = try await browser.get("/app/\(organization)/compose")
            #expect(page.html.contains("<option value=\"\(signature)\" >Team</option>"))
            #expect(page.html.contains("<option value=\"3600\" >1 hour after the one before</option>"))
            let day = String(ISO8601Timestamp.format(Date().addingTimeInterval(2 * 86_400)).prefix(10))
            let fields = [("channel", channel), ("content", "Weekly news"), ("thread", "and more below"), ("thread_delay", "3600"),
                          ("tags", "news, Launch"), ("signature", signature), ("repeat", "week"), ("publish_at", "\(day)T10:00"), ("mode", "schedule")]

            let badDelay = try await browser.post("/app/\(organization)/compose", fields.map { $0.0 == "thread_delay" ? ($0.0, "-5") : $0 })
            #expect(badDelay.status == .unprocessableContent)
            #expect(badDelay.html.contains(">and more below</textarea>"))
            #expect(badDelay.html.contains("<p class=\"field-error\">must be 0 to"), "the delay's error is beside its item")
            let badTags = try await browser.post("/app/\(organization)/compose", fields.map { $0.0 == "tags" ? ($0.0, String(repeating: "t", count: 101)) : $0 })
            #expect(badTags.html.contains("id=\"tags-error\"><p class=\"field-error\">must be at most 20 names of 1 to 100 characters"))
            #expect(badTags.html.contains("<option value=\"week\" selected>"), "the repeat rule is kept")
            #expect(badTags.html.contains("<option value=\"\(signature)\" selected>"), "the signature is kept")
            let badSignature = try await browser.post("/app/\(organization)/compose", fields.map { $0.0 == "signature" ? ($0.0, UUID().uuidString) : $0 })
            #expect(badSignature.html.contains("<p class=\"field-error\">is not a signature of this organization"))

            let saved = try await browser.post("/app/\(organization)/compose", fields)
            #expect(saved.status == .seeOther)
            let head = try #require(try await api.posts(owner, organization: organization).first)
            #expect(head["content"] as? String == "Weekly news\n\n— the Acme team")
            #expect((head["recurrence"] as? [String: Any])?["unit"] as? String == "week")
            let tagged = try await browser.get("/app/\(organization)/calendar?view=week&date=\(day)&tag=launch")
            #expect(tagged.html.contains("Weekly news"))
        }
    }

    @Test("a saved set keeps the text, thread, channels, texts per channel and tags, and the composer starts from it; a set needs a name")
    func savedSets() async throws {
        try await APITestHarness.run { api in
            let browser = WebBrowser(api.client)
            let organization = try await browser.signUp()
            let owner = try #require(browser.cookies["arkyra_access"])
            let channel = try await api.connectMastodon(owner, organization: organization).lowercased()
            _ = try await browser.get("/app/\(organization)/compose")
            let fields = [("channel", channel), ("content", "Our weekly tip"), ("thread", "Tip 2"), ("override:\(channel)", "Tip for Mastodon"),
                          ("tags", "tips"), ("publish_at", ""), ("mode", "set")]
            let unnamed = try await browser.post("/app/\(organization)/compose", fields + [("set_name", "  ")])
            #expect(unnamed.status == .unprocessableContent)
            #expect(unnamed.html.contains("id=\"set-name-error\">must be 1 to 100 characters"))
            #expect(unnamed.html.contains(">Our weekly tip</textarea>"))
            let saved = try await browser.post("/app/\(organization)/compose", fields + [("set_name", "Weekly tip")])
            let location = try #require(saved.location)
            #expect(location.contains("/compose?set=") && location.hasSuffix("&done=set_saved"))
            let page = try await browser.get(location)
            #expect(page.html.contains("The set is saved"))
            #expect(page.html.contains(">Our weekly tip</textarea>"))
            #expect(page.html.contains(">Tip 2</textarea>"))
            #expect(page.html.contains(">Tip for Mastodon</textarea>"))
            #expect(page.html.contains("value=\"\(channel)\" data-name") && page.html.contains("checked>"))
            #expect(page.html.contains("name=\"tags\" value=\"tips\""))
            #expect(page.html.contains(">Weekly tip</option>"), "the set is offered to start from")
            let sets = try await api.request(.get, "/api/v1/organizations/\(organization)/sets", token: owner)
            #expect((sets.json["sets"] as? [[String: Any]])?.first?["name"] as? String == "Weekly tip")
            #expect(try await api.posts(owner, organization: organization).isEmpty, "saving a set schedules nothing")
            // A set another editor saved in its own shape opens as an empty composer rather than failing.
            let foreign = try await api.request(.post, "/api/v1/organizations/\(organization)/sets", token: owner,
                                                json: ["name": "Postiz's", "content": ["posts": [["value": [["content": "<p>hi</p>"]]]]]])
            let foreignID = try #require(foreign.json["id"] as? String)
            #expect(try await browser.get("/app/\(organization)/compose?set=\(foreignID)").status == .ok)
        }
    }

    @Test("a thread item carries the files ticked on it, and the first post its own")
    func mediaOnThreadItems() async throws {
        try await APITestHarness.run { api in
            let browser = WebBrowser(api.client)
            let organization = try await browser.signUp()
            let owner = try #require(browser.cookies["arkyra_access"])
            let channel = try await api.connectMastodon(owner, organization: organization).lowercased()
            var ids: [String] = []
            for name in ["first", "second"] {
                _ = try await browser.get("/app/\(organization)/media")
                let form = TestMedia.form(TestMedia.png(name), fields: ["_csrf": try #require(browser.csrf), "name": name])
                #expect(try await browser.post("/app/\(organization)/media", multipart: form.body, contentType: form.contentType).status == .seeOther)
            }
            let page = try await browser.get("/app/\(organization)/compose")
            ids = page.html.matches(of: /name="media" value="([0-9a-f-]{36})"/).map { String($0.output.1) }
            #expect(ids.count == 2)
            #expect(page.html.contains("name=\"thread_media_1\" value=\"\(ids[0])\""), "the first thread item offers the library")
            let saved = try await browser.post("/app/\(organization)/compose", [
                ("channel", channel), ("content", "Look"), ("media", ids[0]), ("thread", "and this"), ("thread_delay", "0"), ("thread_media_1", ids[1]),
                ("publish_at", "2099-01-01T09:00"), ("mode", "draft"),
            ])
            #expect(saved.status == .seeOther)
            try await TestEnvironment.withClient(api.database) { database in
                let rows = try await database.query("""
                    SELECT p.content, m.media_id FROM posts p JOIN post_media m ON m.post_id = p.id
                    WHERE p.organization_id = \(UUID(uuidString: organization)!) ORDER BY p.position
                    """)
                var carried: [String: String] = [:]
                for try await (content, media) in rows.decode((String, UUID).self) { carried[content] = media.uuidString.lowercased() }
                #expect(carried == ["Look": ids[0], "and this": ids[1]])
            }
        }
    }
}
