/// How Threads counts a post's length: 500 characters, "emojis counted as the number of UTF-8 bytes"
/// (Threads' post documentation). Every other character counts one.
package enum ThreadsText {
    package static let maximum = 500
    /// Posts with more than 5 different links fail (`THREADS_API__LINK_LIMIT_EXCEEDED`, since December 2025).
    package static let maximumLinks = 5

    /// The different links in a text, as Threads counts them (every unique URL).
    package static func links(in text: String) -> Int {
        Set(text.split(whereSeparator: \.isWhitespace).filter { $0.hasPrefix("http://") || $0.hasPrefix("https://") || $0.hasPrefix("www.") }).count
    }

    package static func count(_ text: String) -> Int {
        text.reduce(0) { total, character in total + (isEmoji(character) ? character.utf8.count : 1) }
    }

    /// Whether a character is drawn as an emoji: a scalar that is one by default, or one followed by the
    /// emoji variation selector (U+FE0F). Digits, `#` and `*` have emoji forms only with the selector.
    static func isEmoji(_ character: Character) -> Bool {
        let scalars = character.unicodeScalars
        if scalars.contains(where: { $0.properties.isEmojiPresentation }) { return true }
        return scalars.contains("\u{FE0F}") && scalars.contains(where: { $0.properties.isEmoji })
    }
}
