@testable import ArkyraCore
import Testing

@Suite("Bluesky rich text: facets over UTF-8 byte ranges")
struct BlueskyRichTextTests {
    /// The text a span covers, cut by its byte offsets as Bluesky's app reads them.
    private func covered(_ text: String, _ span: BlueskyRichText.Span) -> String {
        String(decoding: Array(text.utf8)[span.byteStart..<span.byteEnd], as: UTF8.self)
    }

    @Test("links, mentions and tags after emoji and CJK land on the right bytes; trailing punctuation stays out")
    func offsets() {
        let text = "🎉 日本 hi @ada.bsky.social, see https://example.com/a?b=1. (https://x.org/p) #launch #2024 #日本語!"
        let spans = BlueskyRichText.spans(in: text)
        #expect(spans.map { covered(text, $0) } == ["@ada.bsky.social", "https://example.com/a?b=1", "https://x.org/p", "#launch", "#日本語"])
        #expect(spans.map(\.kind) == [.mention("ada.bsky.social"), .link("https://example.com/a?b=1"), .link("https://x.org/p"), .tag("launch"), .tag("日本語")])
    }

    @Test("an e-mail address, a bare @word and a link inside a word are not facets; an unresolved mention stays text")
    func notFacets() {
        #expect(BlueskyRichText.spans(in: "mail ada@example.com or @ada, nohttps://x.org").isEmpty)
        let spans = BlueskyRichText.spans(in: "@bob.test and @nobody.test")
        let facets = BlueskyRichText.facets(spans, dids: ["bob.test": "did:plc:bob"])
        #expect(facets.count == 1)
        #expect((facets.first?["features"] as? [[String: Any]])?.first?["did"] as? String == "did:plc:bob")
    }
}
