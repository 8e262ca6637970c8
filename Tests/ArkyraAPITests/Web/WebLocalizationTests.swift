@testable import ArkyraAPI
import ArkyraTestSupport
import Foundation
import Testing

@Suite("Web: the language catalogues and the choice of language")
struct WebLocalizationTests {
    @Test("every language has every key English has, and no other")
    func cataloguesAreComplete() throws {
        let catalogue = try WebAssets.load().catalogue
        #expect((catalogue.strings[.en]?.count ?? 0) > 50)
        for language in Language.allCases where language != .en {
            let gaps = catalogue.gaps(language)
            #expect(gaps.missing.isEmpty, "\(language.rawValue).json lacks \(gaps.missing)")
            #expect(gaps.unknown.isEmpty, "\(language.rawValue).json has keys English does not: \(gaps.unknown)")
            for (key, text) in catalogue.strings[language] ?? [:] {
                #expect(!text.isEmpty, "\(language.rawValue).json: \(key) is empty")
                // A placeholder must survive translation.
                for placeholder in (catalogue.strings[.en]?[key] ?? "").matches(of: /\{[a-z_]+\}/) {
                    #expect(text.contains(placeholder.output), "\(language.rawValue).json: \(key) lost \(placeholder.output)")
                }
            }
        }
    }

    @Test("every string a template shows is in the catalogue")
    func templatesUseKnownKeys() throws {
        let folder = try #require(WebAssets.folder)
        let catalogue = try WebAssets.load(from: folder).catalogue
        let templates = folder.appendingPathComponent("templates")
        var used = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: templates.path) where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: templates.appendingPathComponent(name), encoding: .utf8)
            for match in text.matches(of: /\{\{t\.([a-z0-9_]+)\}\}/) {
                used += 1
                #expect(catalogue.strings[.en]?[String(match.output.1)] != nil, "\(name) shows t.\(match.output.1), which en.json lacks")
            }
        }
        #expect(used > 50)
    }

    @Test("the cookie wins, then Accept-Language by its q-values, then English")
    func languageChoice() {
        #expect(Language.preferred(cookie: "de", acceptLanguage: "fr") == .de)
        #expect(Language.preferred(cookie: "xx", acceptLanguage: "fr-CH, fr;q=0.9, en;q=0.8") == .fr)
        #expect(Language.preferred(cookie: nil, acceptLanguage: "ja, es;q=0.5, ar;q=0.7") == .ar)
        #expect(Language.preferred(cookie: nil, acceptLanguage: "ja, zh;q=0.9") == .en)
        #expect(Language.preferred(cookie: nil, acceptLanguage: "de;q=0, en-GB") == .en)
        #expect(Language.preferred(cookie: nil, acceptLanguage: nil) == .en)
        #expect(Language.ar.direction == "rtl")
        #expect(Language.fr.direction == "ltr")
    }

    @Test("the language is the person's: their browser's at sign-up, changed by the menu, and it follows them to another browser at log-in")
    func languageFollowsThePerson() async throws {
        try await APITestHarness.run { api in
            let email = "ada-\(UUID().uuidString.prefix(6))@example.com"
            let french = WebBrowser(api.client, language: "fr-FR, fr;q=0.9")
            let organization = try await french.signUp(email: email)
            #expect(try await french.get("/app/\(organization)/calendar").html.contains("<html lang=\"fr\""))

            func logIn(_ browser: WebBrowser) async throws -> String? {
                _ = try await browser.get("/login")
                let loggedIn = try await browser.post("/login", [("email", email), ("password", "correct horse")])
                #expect(loggedIn.status == .seeOther)
                return browser.cookies[Language.cookie]
            }
            // Another browser, set to English, opens in the account's French.
            let other = WebBrowser(api.client, language: "en-US")
            #expect(try await logIn(other) == "fr")
            #expect(try await other.get("/app/\(organization)/calendar").html.contains("<html lang=\"fr\""))
            // The menu changes it for the account: a third browser opens in German.
            let chosen = try await other.post("/language", [("language", "de"), ("next", "/app/\(organization)/calendar")])
            #expect(chosen.location == "/app/\(organization)/calendar")
            #expect(try await logIn(WebBrowser(api.client, language: "en-US")) == "de")
            // A language we do not speak changes nothing.
            _ = try await other.get("/app/\(organization)/calendar")
            _ = try await other.post("/language", [("language", "xx")])
            #expect(try await logIn(WebBrowser(api.client)) == "de")
        }
    }

    @Test("the API's error messages are shown in the page's language where known, their numbers and names kept; others as the API wrote them")
    func errorMessages() throws {
        let catalogue = try Catalogue.load(from: try #require(WebAssets.folder).appendingPathComponent("locales"))
        let messages = ErrorMessages(catalogue: catalogue)
        for (id, _) in ErrorMessages.patterns {
            #expect(catalogue.strings[.en]?["apierror_\(id)"] != nil, "apierror_\(id) is in the catalogue")
        }
        #expect(messages.translate("is 501 characters; mastodon takes at most 500", .fr) == "fait 501 caractères ; mastodon en accepte au plus 500")
        #expect(messages.translate("is 290 characters; x takes at most 280 (a URL counts as 23)", .de) == "hat 290 Zeichen; x nimmt höchstens 280 (a URL counts as 23)")
        #expect(messages.translate("must be 1 to 100 characters", .es) == "debe tener de 1 a 100 caracteres")
        #expect(messages.translate("must be 0 to 604800", .ar) == "يجب أن يكون من 0 إلى 604800")
        #expect(messages.translate("this organization already has a customer named Bäckerei", .de) == "diese Organisation hat schon einen Kunden namens Bäckerei")
        #expect(messages.translate("must be in the future", .en) == "must be in the future", "English is the API's own words")
        #expect(messages.translate("a message no pattern knows", .fr) == "a message no pattern knows")
        #expect(messages.translate("prefix: must be in the future", .fr) == "prefix: must be in the future", "patterns match whole messages")
        let error = messages.translate(APIError.validation(["password": "must be at least 8 characters"]), .fr)
        #expect(error.message == "certains champs ne sont pas valides")
        #expect(error.fields?["password"] == "doit faire au moins 8 caractères")
    }

    @Test("a French page shows the API's field errors in French")
    func frenchFieldErrors() async throws {
        try await APITestHarness.run { api in
            let browser = WebBrowser(api.client, language: "fr")
            _ = try await browser.get("/signup")
            let short = try await browser.post("/signup", [("name", "Ada"), ("email", "ada-\(UUID().uuidString.prefix(6))@example.com"), ("password", "short")])
            #expect(short.status == .unprocessableContent)
            #expect(short.html.contains("doit faire au moins 8 caractères"), "the password's rule in French")
            let organization = try await browser.signUp()
            let owner = try #require(browser.cookies["arkyra_access"])
            let channel = try await api.connectMastodon(owner, organization: organization).lowercased()
            _ = try await browser.get("/app/\(organization)/compose")
            let long = try await browser.post("/app/\(organization)/compose", [
                ("channel", channel), ("content", String(repeating: "a", count: 501)), ("publish_at", "2031-01-01T10:00"), ("mode", "schedule"),
            ])
            #expect(long.html.contains("fait 501 caractères ; mastodon en accepte au plus 500"))
            let none = try await browser.post("/app/\(organization)/compose", [("content", "x"), ("publish_at", "2031-01-01T10:00"), ("mode", "schedule")])
            #expect(none.html.contains("choisissez au moins un canal"))
            // The page's scripts (the session cookie, the browser's French) read the API in French too; integrators in English.
            let counted = try await browser.api(.post, "/api/v1/organizations/\(organization)/posts/check",
                                                json: "{\"content\":\"\(String(repeating: "a", count: 501))\",\"integration_ids\":[\"\(channel)\"]}")
            #expect(counted.html.contains("\"problem\":\"fait 501 caractères ; mastodon en accepte au plus 500"))
            let moved = try await browser.api(.post, "/api/v1/organizations/\(organization)/posts", json: "{\"publish_at\":\"2020-01-01T00:00:00Z\",\"variants\":[]}")
            #expect(moved.html.contains("choisissez au moins un canal"), "\(moved.html)")
            let integrator = try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: owner, json: ["publish_at": "2020-01-01T00:00:00Z", "variants": []])
            #expect(integrator.errorFields["variants"] == "must name at least one channel")
        }
    }
}
