import Foundation

/// Every visible string of the web app, one JSON file per language (`Web/Assets/locales/<code>.json`, flat
/// keys). English is complete by definition; a test fails when another language misses a key or has one
/// English does not. Placeholders are `{name}`.
struct Catalogue: Sendable {
    let strings: [Language: [String: String]]

    enum LoadError: Error, CustomStringConvertible {
        case missing(Language)
        case malformed(Language, String)
        var description: String {
            switch self {
            case .missing(let language): "the language catalogue \(language.rawValue).json is missing"
            case .malformed(let language, let reason): "the language catalogue \(language.rawValue).json is not a flat JSON object of strings: \(reason)"
            }
        }
    }

    static func load(from folder: URL) throws -> Catalogue {
        var strings: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let file = folder.appendingPathComponent("\(language.rawValue).json")
            guard let data = try? Data(contentsOf: file) else { throw LoadError.missing(language) }
            do {
                strings[language] = try JSONDecoder().decode([String: String].self, from: data)
            } catch {
                throw LoadError.malformed(language, "\(error)")
            }
        }
        return Catalogue(strings: strings)
    }

    /// The strings of `language`, English where it lacks one (a test keeps that from shipping).
    func table(_ language: Language) -> [String: String] {
        (strings[.en] ?? [:]).merging(strings[language] ?? [:]) { _, own in own }
    }

    func text(_ key: String, _ language: Language, _ values: [String: String] = [:]) -> String {
        var text = strings[language]?[key] ?? strings[.en]?[key] ?? key
        for (name, value) in values { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }

    /// Keys English has that `language` lacks, and keys it has that English does not.
    func gaps(_ language: Language) -> (missing: [String], unknown: [String]) {
        let english = Set((strings[.en] ?? [:]).keys)
        let own = Set((strings[language] ?? [:]).keys)
        return (english.subtracting(own).sorted(), own.subtracting(english).sorted())
    }
}
