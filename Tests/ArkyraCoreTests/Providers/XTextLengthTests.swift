import ArkyraCore
import Testing

@Suite("X's weighted length (twitter-text version 3)")
struct XTextLengthTests {
    @Test("Latin counts 1, CJK 2, an emoji 2 however it is built, a link 23", arguments: [
        ("Hello world", 11),
        ("Hello, 世界", 11),
        ("日本語のテキスト", 16),
        ("😷", 2),
        ("👨‍👩‍👧‍👦", 2),
        ("👍🏽", 2),
        ("🇯🇵", 2),
        ("❤️", 2),
        ("1️⃣", 2),
        ("café", 4),
        ("cafe\u{301}", 4),  // the same word decomposed: NFC makes it 4 code points
        ("“quoted” — dash…", 17),  // U+2026 lies outside the ranges that count 1
        ("https://example.com/a/very/long/path/that/goes/on/and/on?with=query", 23),
        ("see https://a.co and www.example.org/x", 4 + 23 + 5 + 23),
    ])
    func counts(text: String, expected: Int) {
        #expect(XTextLength.count(text) == expected, "\(text)")
    }

    @Test("280 Latin letters fit, 140 CJK characters fit and 141 do not")
    func limits() {
        #expect(XTextLength.count(String(repeating: "a", count: 280)) == XTextLength.maximum)
        #expect(XTextLength.count(String(repeating: "字", count: 140)) == 280)
        #expect(XTextLength.count(String(repeating: "字", count: 141)) > XTextLength.maximum)
    }
}
