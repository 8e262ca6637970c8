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
}
