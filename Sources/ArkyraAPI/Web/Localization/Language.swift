import Foundation

/// The languages the web app speaks. The person's choice (a cookie) wins; without one, the browser's
/// `Accept-Language`; English otherwise.
enum Language: String, CaseIterable, Sendable {
    case en, ar, fr, es, de

    static let cookie = "arkyra_lang"

    /// `dir` of the page: Arabic is written right to left.
    var direction: String { self == .ar ? "rtl" : "ltr" }

    /// The language's name in itself, for the language menu.
    var nativeName: String {
        switch self {
        case .en: "English"
        case .ar: "العربية"
        case .fr: "Français"
        case .es: "Español"
        case .de: "Deutsch"
        }
    }

    var locale: Locale { Locale(identifier: rawValue) }

    static func preferred(cookie: String?, acceptLanguage: String?) -> Language {
        if let cookie, let chosen = Language(rawValue: cookie) { return chosen }
        return acceptLanguage.flatMap(fromAcceptLanguage) ?? .en
    }

    /// The first language of ours in an `Accept-Language` header, by its q-values (`fr-CH, fr;q=0.9, en;q=0.8`).
    static func fromAcceptLanguage(_ header: String) -> Language? {
        let ranked = header.split(separator: ",").enumerated().compactMap { index, part -> (tag: Substring, q: Double, index: Int)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first, !tag.isEmpty else { return nil }
            var q = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") {
                q = Double(parameter.dropFirst(2)) ?? 0
            }
            return (Substring(tag), q, index)
        }
        let ordered = ranked.filter { $0.q > 0 }.sorted { $0.q != $1.q ? $0.q > $1.q : $0.index < $1.index }
        for entry in ordered {
            let primary = entry.tag.split(separator: "-").first.map { $0.lowercased() } ?? ""
            if let language = Language(rawValue: primary) { return language }
        }
        return nil
    }
}
