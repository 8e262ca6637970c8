/// LinkedIn's "little text format", the syntax of a post's `commentary` and a comment's text: `@[…](urn)`
/// mentions, `#` hashtags and other markup start at reserved characters, and LinkedIn cuts a post at a
/// reserved character it cannot read. Plain text is sent with each reserved character escaped by a
/// backslash. The 3,000-character limit applies to what is sent, counted in UTF-16 units (LinkedIn's
/// services are Java), so escapes count.
enum LinkedInText {
    static let maximum = 3000

    static let reserved: Set<Character> = ["\\", "|", "{", "}", "@", "[", "]", "(", ")", "<", ">", "#", "*", "_", "~"]

    /// `text` with every reserved character escaped, so LinkedIn shows it as written.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            if reserved.contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }

    /// The length LinkedIn checks against ``maximum``.
    static func count(_ text: String) -> Int { escaped(text).utf16.count }
}
