@testable import ArkyraAPI
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
}
